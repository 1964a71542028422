using System.CommandLine;
using FileSync.Edge.Cli;
using FileSync.Edge.Configuration;
using FileSync.Edge.Local;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FileSync.Edge.Hosting;

/// <summary>Parses the command line, builds the host and runs the agent until Ctrl+C, SIGTERM or a fatal error.</summary>
public static class AgentHost
{
    /// <summary>Runs the agent; returns the process exit code. Errors are one line on <paramref name="error"/>.</summary>
    public static async Task<int> RunAsync(
        string[] args,
        TextWriter? error = null,
        Action<ILoggingBuilder>? configureLogging = null,
        CancellationToken cancellationToken = default
    )
    {
        if (error is null)
        {
            Utf8Console.Use();
            error = Console.Error;
        }
        var commandLine = new AgentCommandLine();
        var root = commandLine.CreateRootCommand();
        var exitCode = AgentExitCodes.Ok;
        new LocalCommandLine().AddTo(
            root,
            commandLine.ConfigFile,
            error,
            code => exitCode = code,
            cancellationToken
        );
        root.SetAction(
            async (result, token) =>
            {
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(
                    token,
                    cancellationToken
                );
                exitCode = await RunAgentAsync(
                        commandLine.ReadArguments(result),
                        error,
                        configureLogging,
                        linked.Token
                    )
                    .ConfigureAwait(false);
                return exitCode;
            }
        );
        var parse = root.Parse(args);
        var problem =
            parse.Errors.Count > 0
                ? parse.Errors[0].Message.Split('\n', 2)[0].Trim()
                : commandLine.MisusedWithSubcommand(parse);
        if (problem is not null)
        {
            return await FailAsync(error, AgentExitCodes.BadArguments, $"{problem} (see --help)")
                .ConfigureAwait(false);
        }
        var invocationResult = await parse
            .InvokeAsync(cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        return invocationResult == 0 ? exitCode : invocationResult;
    }

    /// <summary>Resolves the settings, claims the local endpoint, then runs the host until it stops.</summary>
    private static async Task<int> RunAgentAsync(
        AgentArguments arguments,
        TextWriter error,
        Action<ILoggingBuilder>? configureLogging,
        CancellationToken cancellationToken
    )
    {
        var resolution = AgentSettingsResolver.Resolve(
            arguments,
            Environment.GetEnvironmentVariable
        );
        foreach (var warning in resolution.Warnings)
        {
            await error.WriteLineAsync(CliMessage.Warning(warning)).ConfigureAwait(false);
        }
        if (resolution.Settings is not { } settings)
        {
            return await FailAsync(error, AgentExitCodes.BadArguments, resolution.Error!)
                .ConfigureAwait(false);
        }

        // One agent per config file: the local control endpoint is claimed before anything connects.
        var configPath = settings.ConfigPath;
        var claim = await LocalControlListener
            .ClaimAsync(LocalEndpointAddress.For(configPath), cancellationToken)
            .ConfigureAwait(false);
        if (claim.InUse)
        {
            var holder = claim.Holder is { } other ? $" (pid {other.Pid})" : " (not answering)";
            return await FailAsync(
                    error,
                    AgentExitCodes.IdentityInUse,
                    $"another agent is already running with the config file '{configPath}'{holder}; see 'filesync-edge status --config {configPath}'"
                )
                .ConfigureAwait(false);
        }
        if (claim.Problem is { } endpointProblem)
        {
            // Syncing matters more than the local commands: run without them, and say so.
            await error
                .WriteLineAsync(
                    CliMessage.Warning(
                        $"no local control endpoint (status, pause, … will not find this agent): {endpointProblem}"
                    )
                )
                .ConfigureAwait(false);
        }
        await using var listener = claim.Listener;

        var runState = new AgentRunState(settings.Workspaces)
        {
            Remembered = settings.RememberedWorkspaces,
        };
        var builder = AgentHostBuilder.Create(
            settings,
            listener,
            runState,
            error,
            configureLogging
        );
        try
        {
            using var host = builder.Build();
            AgentHostLog.WarnUnknownKeys(
                host.Services.GetRequiredService<ILoggerFactory>(),
                settings.ConfigFile.UnknownKeys
            );
            await host.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OptionsValidationException ex)
        {
            return await FailAsync(
                    error,
                    AgentExitCodes.BadArguments,
                    string.Join("; ", ex.Failures)
                )
                .ConfigureAwait(false);
        }
        if (runState.ExitMessage is not null)
        {
            await FailAsync(error, runState.ExitCode, runState.ExitMessage).ConfigureAwait(false);
        }
        return runState.ExitCode;
    }

    /// <summary>Says why the agent stops, as one line on <paramref name="error"/>; returns <paramref name="exitCode"/>.</summary>
    private static async Task<int> FailAsync(TextWriter error, int exitCode, string message)
    {
        await error.WriteLineAsync(CliMessage.Error(message)).ConfigureAwait(false);
        return exitCode;
    }
}
