using FileSync.Edge.Control;
using FileSync.Edge.Uplink;
using FileSync.Edge.Workspace;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Hosting;

/// <summary>Runs the uplink, the workspaces and the control loop for the lifetime of the host.</summary>
public sealed partial class AgentService(
    UplinkConnection uplink,
    WorkspaceRegistry workspaces,
    ControlDispatcher control,
    AgentRunState runState,
    IHostApplicationLifetime lifetime,
    ILogger<AgentService> logger
) : BackgroundService
{
    /// <summary>
    /// Connects and arms every workspace's watcher before the host counts as started, so the systemd
    /// readiness notification (sent once the host has started) means "the workspaces are watched".
    /// </summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await uplink.StartAsync(cancellationToken).ConfigureAwait(false);
        foreach (var path in runState.Workspaces)
        {
            // Remembered folders (the installer's or the server's choice) are checked again: never a
            // credential store or system folder, nor anything holding one.
            if (
                runState.Remembered.Contains(path, PathComparer.Default)
                && WorkspaceRoot.TryFrom(path)?.CheckForbiddenForServer() is { } refusal
            )
            {
                Log.WorkspaceRejected(
                    logger,
                    $"a workspace remembered in the config file is no longer allowed: {refusal.Message}"
                );
                continue;
            }
            var added = await workspaces.AddAsync(path, cancellationToken).ConfigureAwait(false);
            if (added.Rejection is { } rejection)
            {
                Log.WorkspaceRejected(logger, rejection.Message);
            }
        }
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var controlLoop = control.RunAsync(uplink.Commands, stoppingToken);
        try
        {
            // Either ending is the end of the agent: a control stage that died would leave the socket unread.
            var ended = await Task.WhenAny(uplink.Completion, controlLoop, workspaces.Failure)
                .WaitAsync(stoppingToken)
                .ConfigureAwait(false);
            if (ended == controlLoop && !controlLoop.IsFaulted)
            {
                // The command queue completes only when the uplink stops: the uplink's outcome decides.
                ended = uplink.Completion;
            }
            await ended.WaitAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (UplinkAuthenticationException ex)
        {
            runState.ExitCode = AgentExitCodes.AuthenticationRejected;
            runState.ExitMessage = ex.Message;
            lifetime.StopApplication();
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Ctrl+C / SIGTERM.
        }
        catch (Exception ex)
        {
            // Out of memory included: exit with a clear line so a supervisor restarts the agent.
            Log.Fatal(logger, ex.Message);
            runState.ExitCode = AgentExitCodes.Fatal;
            runState.ExitMessage = ex.Message;
            lifetime.StopApplication();
        }
        try
        {
            await controlLoop.ConfigureAwait(false);
        }
        catch (Exception) when (runState.ExitCode != AgentExitCodes.Ok)
        {
            // Already reported above.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        await workspaces.DisposeAsync().ConfigureAwait(false);
        await uplink.DisposeAsync().ConfigureAwait(false);
    }

    private static partial class Log
    {
        [LoggerMessage(10, LogLevel.Error, "{Reason}", EventName = "WorkspaceRejected")]
        public static partial void WorkspaceRejected(ILogger logger, string reason);

        [LoggerMessage(11, LogLevel.Critical, "Stopping: {Reason}", EventName = "Fatal")]
        public static partial void Fatal(ILogger logger, string reason);
    }
}
