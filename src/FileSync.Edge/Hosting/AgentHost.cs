using System.CommandLine;
using FileSync.Edge.Cli;
using FileSync.Edge.Configuration;
using FileSync.Edge.Control;
using FileSync.Edge.Local;
using FileSync.Edge.Uplink;
using FileSync.Edge.Workspace;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
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
                        commandLine,
                        result,
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
            await error
                .WriteLineAsync($"filesync-edge: error: {problem} (see --help)")
                .ConfigureAwait(false);
            return AgentExitCodes.BadArguments;
        }
        var invocationResult = await parse
            .InvokeAsync(cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        return invocationResult == 0 ? exitCode : invocationResult;
    }

    private static async Task<int> RunAgentAsync(
        AgentCommandLine commandLine,
        ParseResult result,
        TextWriter error,
        Action<ILoggingBuilder>? configureLogging,
        CancellationToken cancellationToken
    )
    {
        string? apiKeyFromFile = null;
        if (result.GetValue(commandLine.ApiKeyFile) is { } keyFile)
        {
            try
            {
                apiKeyFromFile = (
                    await File.ReadAllTextAsync(keyFile.FullName, cancellationToken)
                        .ConfigureAwait(false)
                ).Trim();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                await error
                    .WriteLineAsync(
                        $"filesync-edge: error: cannot read --api-key-file '{keyFile.FullName}': {ex.Message}"
                    )
                    .ConfigureAwait(false);
                return AgentExitCodes.BadArguments;
            }
        }

        if (
            result.GetValue(commandLine.Name) is { } name
            && MachineFingerprint.Validate(name) is { } nameProblem
        )
        {
            await error
                .WriteLineAsync($"filesync-edge: error: --name: the identity {nameProblem}")
                .ConfigureAwait(false);
            return AgentExitCodes.BadArguments;
        }

        // A missing file, at the default path or given explicitly, is no error: the defaults apply, and the
        // agent creates it when the server chooses workspaces to remember.
        AgentConfigFileContent config;
        try
        {
            config = AgentConfigFileReader.Read(
                AgentConfigFile.DefaultPath(result.GetValue(commandLine.ConfigFile))
            );
        }
        catch (ConfigFileException ex)
        {
            await error.WriteLineAsync($"filesync-edge: error: {ex.Message}").ConfigureAwait(false);
            return AgentExitCodes.BadArguments;
        }
        var configPath = config.Path;
        var savedWorkspaces = config.Workspaces;

        var workspaces = new List<string>();
        if (
            (result.GetValue(commandLine.Workspaces) ?? []).FirstOrDefault(w =>
                w.StartsWith('-')
            ) is
            { } unknown
        )
        {
            await error
                .WriteLineAsync($"filesync-edge: error: unknown option '{unknown}' (see --help)")
                .ConfigureAwait(false);
            return AgentExitCodes.BadArguments;
        }
        // The workspaces the server chose last time (remembered in the config file), plus those given now.
        foreach (var path in savedWorkspaces ?? [])
        {
            if (!WorkspaceRoot.TryForUser(path, out var root, out var rejection))
            {
                // Not fatal: the server chose it and can choose again; a folder may be gone for a while.
                await error
                    .WriteLineAsync(
                        $"filesync-edge: warning: skipping a workspace saved in '{configPath}': {rejection.Message}"
                    )
                    .ConfigureAwait(false);
                continue;
            }
            if (!workspaces.Contains(root.Path, PathComparer.Default))
            {
                workspaces.Add(root.Path);
            }
        }
        var savedCount = workspaces.Count;
        var commandLineRoots = new List<string>();
        foreach (var path in result.GetValue(commandLine.Workspaces) ?? [])
        {
            if (!WorkspaceRoot.TryForUser(path, out var root, out var rejection))
            {
                await error
                    .WriteLineAsync($"filesync-edge: error: {rejection.Message}")
                    .ConfigureAwait(false);
                return AgentExitCodes.BadArguments;
            }
            var rootPath = root.Path;
            commandLineRoots.Add(rootPath);
            if (!workspaces.Contains(rootPath, PathComparer.Default))
            {
                workspaces.Add(rootPath);
            }
        }
        // With a saved (even empty) list the server manages the workspaces, so running without any is fine.
        if (workspaces.Count == 0 && savedWorkspaces is null)
        {
            await error
                .WriteLineAsync(
                    "filesync-edge: error: no workspace given; pass one or more folders (see --help)"
                )
                .ConfigureAwait(false);
            return AgentExitCodes.BadArguments;
        }

        // One agent per config file: the local control endpoint is claimed before anything connects.
        var claim = await LocalControlListener
            .ClaimAsync(LocalEndpointAddress.For(configPath), cancellationToken)
            .ConfigureAwait(false);
        if (claim.InUse)
        {
            var holder = claim.Holder is { } other ? $" (pid {other.Pid})" : " (not answering)";
            await error
                .WriteLineAsync(
                    $"filesync-edge: error: another agent is already running with the config file '{configPath}'{holder}; see 'filesync-edge status --config {configPath}'"
                )
                .ConfigureAwait(false);
            return AgentExitCodes.IdentityInUse;
        }
        if (claim.Problem is { } endpointProblem)
        {
            // Syncing matters more than the local commands: run without them, and say so.
            await error
                .WriteLineAsync(
                    $"filesync-edge: warning: no local control endpoint (status, pause, … will not find this agent): {endpointProblem}"
                )
                .ConfigureAwait(false);
        }
        await using var listener = claim.Listener;
        return await RunHostAsync(
                commandLine,
                result,
                error,
                configureLogging,
                config,
                apiKeyFromFile,
                workspaces,
                savedCount,
                commandLineRoots,
                listener,
                cancellationToken
            )
            .ConfigureAwait(false);
    }

    private static async Task<int> RunHostAsync(
        AgentCommandLine commandLine,
        ParseResult result,
        TextWriter error,
        Action<ILoggingBuilder>? configureLogging,
        AgentConfigFileContent config,
        string? apiKeyFromFile,
        List<string> workspaces,
        int savedCount,
        List<string> commandLineRoots,
        LocalControlListener? listener,
        CancellationToken cancellationToken
    )
    {
        var configPath = config.Path;
        var builder = Host.CreateEmptyApplicationBuilder(
            new HostApplicationBuilderSettings { Args = [] }
        );
        if (config.Json is { } json)
        {
            // The bytes just checked, not a second read of a file that may have changed since.
            builder.Configuration.AddJsonStream(new MemoryStream(json.ToArray(), writable: false));
        }
        builder.Configuration.AddInMemoryCollection(EnvironmentValues());
        builder.Configuration.AddInMemoryCollection(
            commandLine.ToConfiguration(result, apiKeyFromFile)
        );

        var logLevel = result.GetValue(commandLine.LogLevel) ?? LogLevel.Information;
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(logLevel);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        // Start-up failures are reported as one line below, not as a stack trace.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
        var consoleStyle = ConsoleLogging.Choose(
            Environment.GetEnvironmentVariable(ConsoleLogging.StyleVariable),
            SystemdHelpers.IsSystemdService(),
            Console.IsErrorRedirected,
            out var styleProblem
        );
        if (styleProblem is not null)
        {
            error.WriteLine(styleProblem);
        }
        builder.Logging.AddAgentConsole(consoleStyle);
        // Type=notify: READY=1 once the host has started (AgentService.StartAsync: workspaces watched).
        builder.Services.AddSystemd();
        builder.Services.Configure<ConsoleLoggerOptions>(options =>
            options.LogToStandardErrorThreshold = LogLevel.Trace
        );
        // The recent lines, for `filesync-edge logs` and the tray.
        var ring = new LogRing();
        builder.Logging.AddProvider(new LogRingProvider(ring, TimeProvider.System));
        builder.Services.AddSingleton(ring);
        configureLogging?.Invoke(builder.Logging);

        builder.Services.Configure<ConsoleLifetimeOptions>(options =>
            options.SuppressStatusMessages = true
        );
        builder.Services.Configure<HostOptions>(options =>
            options.ShutdownTimeout = TimeSpan.FromSeconds(10)
        );
        builder.Services.AddOptions<SyncOptions>().BindConfiguration(SyncOptions.SectionName);
        builder.Services.AddOptions<UplinkOptions>().BindConfiguration(UplinkOptions.SectionName);
        builder
            .Services.AddOptions<ControlOptions>()
            .BindConfiguration(ControlOptions.SectionName)
            .Configure(options => options.CommandLineRoots = commandLineRoots);
        // Unless configured, the identity is this machine, this OS user and this config file: two agents
        // with different config files (or users) are different edges; a restart keeps the edge.
        builder.Services.PostConfigure<UplinkOptions>(options =>
        {
            if (string.IsNullOrEmpty(options.Fingerprint))
            {
                options.Fingerprint = MachineFingerprint.Compute(configPath);
            }
        });
        if (ConsoleSyncProgress.IsInteractive && configureLogging is null)
        {
            builder.Services.AddSingleton<ISyncProgress, ConsoleSyncProgress>();
        }
        builder.Services.AddSingleton<IWorkspaceListStore>(
            new ConfigFileWorkspaceStore(configPath)
        );
        builder.Services.AddFileSyncEdgeCore();
        // Remembered folders were chosen by the server: they are checked again against what it may choose.
        var runState = new AgentRunState(workspaces)
        {
            Remembered =
            [
                .. workspaces
                    .Take(savedCount)
                    .Where(w => !commandLineRoots.Contains(w, PathComparer.Default)),
            ],
        };
        builder.Services.AddSingleton(runState);
        builder.Services.AddHostedService<AgentService>();
        if (listener is not null)
        {
            builder.Services.AddSingleton(listener);
            builder.Services.AddSingleton<ILocalCommandHandler>(sp => new LocalCommandHandler(
                sp.GetRequiredService<WorkspaceRegistry>(),
                sp.GetRequiredService<WorkspaceCommands>(),
                sp.GetRequiredService<UplinkConnection>(),
                ring,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<LocalCommandHandler>>(),
                configPath,
                sp.GetRequiredService<IHostApplicationLifetime>().StopApplication
            ));
            builder.Services.AddSingleton<LocalControlServer>();
            builder.Services.AddHostedService<LocalEndpointService>();
        }

        if (OptionsBinding.Problem(builder.Configuration) is { } problem)
        {
            await error
                .WriteLineAsync($"filesync-edge: error: invalid configuration: {problem}")
                .ConfigureAwait(false);
            return AgentExitCodes.BadArguments;
        }
        try
        {
            using var host = builder.Build();
            AgentHostLog.WarnUnknownKeys(
                host.Services.GetRequiredService<ILoggerFactory>(),
                config.UnknownKeys
            );
            await host.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OptionsValidationException ex)
        {
            await error
                .WriteLineAsync($"filesync-edge: error: {string.Join("; ", ex.Failures)}")
                .ConfigureAwait(false);
            return AgentExitCodes.BadArguments;
        }
        if (runState.ExitMessage is not null)
        {
            await error
                .WriteLineAsync($"filesync-edge: error: {runState.ExitMessage}")
                .ConfigureAwait(false);
        }
        return runState.ExitCode;
    }

    /// <summary>FILESYNC_SERVER and FILESYNC_API_KEY, mapped to their configuration keys.</summary>
    private static Dictionary<string, string?> EnvironmentValues()
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (Environment.GetEnvironmentVariable("FILESYNC_SERVER") is { Length: > 0 } server)
        {
            values["Uplink:Server"] = server;
        }
        if (Environment.GetEnvironmentVariable("FILESYNC_API_KEY") is { Length: > 0 } key)
        {
            values["Uplink:ApiKey"] = key;
        }
        return values;
    }
}
