using FileSync.Edge.Control;
using FileSync.Edge.Uplink;
using FileSync.Edge.Workspace;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FileSync.Edge.Local;

/// <summary>
/// Carries out the local commands on the running engine: status, pause/resume (the workspace's send
/// gate), resync, add/remove (through <see cref="WorkspaceCommands"/>, with the root rules of
/// server-chosen workspaces), stop and logs.
/// </summary>
public sealed partial class LocalCommandHandler : ILocalCommandHandler
{
    private readonly WorkspaceRegistry _workspaces;
    private readonly WorkspaceCommands _workspaceCommands;
    private readonly UplinkConnection _uplink;
    private readonly LogRing _ring;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string? _configPath;
    private readonly IAgentShutdown _shutdown;
    private readonly DateTimeOffset _startedAt;
    private long _connectionSinceTicks;

    /// <summary>
    /// How long <c>pause</c> waits for sending to stop before it answers "pausing": a file under way on a
    /// slow link may take longer, and the command must not hang on it.
    /// </summary>
    public static readonly TimeSpan PauseAnswerBudget = TimeSpan.FromSeconds(5);

    public LocalCommandHandler(
        WorkspaceRegistry workspaces,
        WorkspaceCommands workspaceCommands,
        UplinkConnection uplink,
        LogRing ring,
        TimeProvider time,
        ILogger<LocalCommandHandler> logger,
        IOptions<LocalCommandOptions> options,
        IAgentShutdown shutdown
    )
    {
        _workspaces = workspaces;
        _workspaceCommands = workspaceCommands;
        _uplink = uplink;
        _ring = ring;
        _time = time;
        _logger = logger;
        _configPath = options.Value.ConfigPath;
        _shutdown = shutdown;
        _startedAt = time.GetUtcNow();
        _connectionSinceTicks = _startedAt.UtcTicks;
        uplink.SessionChanged += OnSessionChanged;
    }

    private void OnSessionChanged() =>
        Interlocked.Exchange(ref _connectionSinceTicks, _time.GetUtcNow().UtcTicks);

    public async Task<LocalResponse> HandleAsync(
        LocalRequest request,
        CancellationToken cancellationToken = default
    )
    {
        switch (request.Command)
        {
            case LocalCommands.Ping:
            case LocalCommands.Status:
                return new LocalResponse { Ok = true, Status = BuildStatus() };
            case LocalCommands.Pause:
            case LocalCommands.Resume:
            case LocalCommands.Resync:
                return await SteerWorkspacesAsync(request, cancellationToken).ConfigureAwait(false);
            case LocalCommands.Add:
                return await AddAsync(request, cancellationToken).ConfigureAwait(false);
            case LocalCommands.Remove:
                return await RemoveAsync(request, cancellationToken).ConfigureAwait(false);
            case LocalCommands.Stop:
                Log.StopRequested(_logger);
                return new LocalResponse
                {
                    Ok = true,
                    Message = "the agent is stopping",
                    Status = BuildStatus(),
                };
            case LocalCommands.Logs:
                return new LocalResponse { Ok = true, Lines = _ring.Since(request.After) };
            default:
                return LocalResponse.Failure(
                    LocalErrorCodes.UnknownCommand,
                    $"unknown command '{Clip(request.Command)}' (known: status, pause, resume, resync, add, remove, stop, logs)"
                );
        }
    }

    public void AfterResponse(LocalRequest request)
    {
        if (request.Command == LocalCommands.Stop)
        {
            _shutdown.RequestShutdown();
        }
    }

    public async Task FollowLogsAsync(
        long after,
        Func<LocalResponse, CancellationToken, Task> write,
        CancellationToken cancellationToken = default
    )
    {
        while (true)
        {
            var lines = _ring.Since(after);
            if (lines.Count > 0)
            {
                after = lines[^1].Seq;
                await write(new LocalResponse { Ok = true, Lines = lines }, cancellationToken)
                    .ConfigureAwait(false);
            }
            await _ring.WaitForLineAfterAsync(after, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<LocalResponse> SteerWorkspacesAsync(
        LocalRequest request,
        CancellationToken cancellationToken
    )
    {
        IReadOnlyList<IWorkspace> targets;
        if (string.IsNullOrEmpty(request.Workspace))
        {
            targets = _workspaces.Workspaces;
            if (request.Command != LocalCommands.Resync)
            {
                // "All" includes the workspaces added later (by the server or `add`).
                _workspaces.PauseNewWorkspaces = request.Command == LocalCommands.Pause;
            }
        }
        else if (Find(request, out var problem) is { } workspace)
        {
            targets = [workspace];
        }
        else
        {
            return problem!;
        }
        foreach (var workspace in targets)
        {
            switch (request.Command)
            {
                case LocalCommands.Pause:
                    workspace.Pause();
                    break;
                case LocalCommands.Resume:
                    workspace.Resume();
                    break;
                default:
                    workspace.RequestResync();
                    break;
            }
        }
        if (request.Command == LocalCommands.Resync && _uplink.State != UplinkState.Connected)
        {
            // Offline, a resync is a request to try now: the backoff's wait is skipped.
            _uplink.ReconnectNow();
        }
        var stopped =
            request.Command != LocalCommands.Pause
            || await WhenPausedAsync(targets, cancellationToken).ConfigureAwait(false);
        var verb = request.Command switch
        {
            LocalCommands.Pause when !stopped =>
                "pausing (the file under way goes out first; `status` shows paused once it has)",
            LocalCommands.Pause => "paused",
            LocalCommands.Resume => "resumed",
            _ => "resyncing",
        };
        return new LocalResponse
        {
            Ok = true,
            Message =
                targets.Count == 0 ? $"no workspace is running; nothing {verb}"
                : targets.Count == 1 ? $"{verb} {targets[0].RootPath}"
                : $"{verb} {targets.Count} workspaces",
            Workspaces = [.. targets.Select(w => w.RootPath)],
        };
    }

    /// <summary>True once every paused workspace has stopped sending, false when that takes longer than <see cref="PauseAnswerBudget"/>.</summary>
    private async Task<bool> WhenPausedAsync(
        IReadOnlyList<IWorkspace> targets,
        CancellationToken cancellationToken
    )
    {
        try
        {
            await Task.WhenAll(targets.Select(w => w.WhenPausedAsync(cancellationToken)))
                .WaitAsync(PauseAnswerBudget, _time, cancellationToken)
                .ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private async Task<LocalResponse> AddAsync(
        LocalRequest request,
        CancellationToken cancellationToken
    )
    {
        if (FullPath(request) is not { } path)
        {
            return LocalResponse.Failure(
                LocalErrorCodes.UnknownWorkspace,
                "'add' needs a workspace folder"
            );
        }
        var addition = await _workspaceCommands
            .AddAsync(path, cancellationToken)
            .ConfigureAwait(false);
        if (addition.Rejection is { } rejection)
        {
            return LocalResponse.Failure(LocalErrorCodes.ForbiddenPath, rejection.Message);
        }
        var root = addition.Root!.Path;
        return new LocalResponse
        {
            Ok = true,
            Message = addition.AlreadyRunning
                ? $"{root} is already synced (remembered in the config file)"
                : $"syncing {root} (remembered in the config file)",
            Workspaces = [root],
        };
    }

    private async Task<LocalResponse> RemoveAsync(
        LocalRequest request,
        CancellationToken cancellationToken
    )
    {
        var workspace = Find(request, out var problem);
        var path = workspace?.RootPath ?? FullPath(request);
        if (path is null)
        {
            return problem!;
        }
        var (removed, forgotten, commandLine) = await _workspaceCommands
            .RemoveAsync(path, cancellationToken)
            .ConfigureAwait(false);
        if (!removed && !forgotten)
        {
            return problem
                ?? LocalResponse.Failure(
                    LocalErrorCodes.UnknownWorkspace,
                    $"'{Clip(request.Workspace)}' is not a workspace of this agent"
                );
        }
        var message =
            !removed ? $"forgot {path} (it was remembered in the config file but not running)"
            : commandLine
                ? $"stopped syncing {path} until the agent restarts: it is given on the agent's command line (or service unit), so remove it there to stop it for good"
            : $"stopped syncing {path} and removed it from the config file";
        return new LocalResponse
        {
            Ok = true,
            Message = message,
            Workspaces = [path],
        };
    }

    private static string Clip(string? text) =>
        text is null ? ""
        : text.Length > 200 ? text[..200] + "…"
        : text.ReplaceLineEndings(" ");
}
