using FileSync.Edge.Configuration;
using FileSync.Edge.Control;
using FileSync.Edge.Local;
using FileSync.Edge.Uplink;
using FileSync.Edge.Workspace;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace FileSync.Edge.Hosting;

/// <summary>
/// Builds the agent's host from resolved <see cref="AgentSettings"/>: configuration (the config file,
/// then the environment and the command line), logging (console, the log ring for <c>logs</c>), options,
/// the engine (<c>AddFileSyncEdgeCore</c>) and the hosted services.
/// </summary>
internal static class AgentHostBuilder
{
    /// <param name="settings">What the agent runs with.</param>
    /// <param name="listener">The claimed local control endpoint; null: run without it.</param>
    /// <param name="runState">Where the agent's workspaces are read and its outcome is written.</param>
    /// <param name="error">Where a problem with <c>FILESYNC_CONSOLE</c> is said.</param>
    /// <param name="configureLogging">Extra logging (tests); it also turns the console progress line off.</param>
    public static HostApplicationBuilder Create(
        AgentSettings settings,
        LocalControlListener? listener,
        AgentRunState runState,
        TextWriter error,
        Action<ILoggingBuilder>? configureLogging
    )
    {
        var builder = Host.CreateEmptyApplicationBuilder(
            new HostApplicationBuilderSettings { Args = [] }
        );
        settings.AddTo(builder.Configuration);
        AddLogging(builder, settings.LogLevel, error, configureLogging);

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
            .Configure(options => options.CommandLineRoots = [.. settings.CommandLineWorkspaces]);
        // Unless configured, the identity is this machine, this OS user and this config file: two agents
        // with different config files (or users) are different edges; a restart keeps the edge.
        builder.Services.PostConfigure<UplinkOptions>(options =>
        {
            if (string.IsNullOrEmpty(options.Fingerprint))
            {
                options.Fingerprint = MachineFingerprint.Compute(settings.ConfigPath);
            }
        });
        if (ConsoleSyncProgress.IsInteractive && configureLogging is null)
        {
            builder.Services.AddSingleton<ISyncProgress, ConsoleSyncProgress>();
        }
        builder.Services.AddSingleton<IWorkspaceListStore>(
            new ConfigFileWorkspaceStore(settings.ConfigPath)
        );
        builder.Services.AddSingleton<IAgentShutdown, HostAgentShutdown>();
        builder.Services.Configure<LocalCommandOptions>(options =>
            options.ConfigPath = settings.ConfigPath
        );
        builder.Services.AddFileSyncEdgeCore();
        builder.Services.AddSingleton(runState);
        builder.Services.AddHostedService<AgentService>();
        if (listener is not null)
        {
            builder.Services.AddSingleton(listener);
            builder.Services.AddSingleton<LocalControlServer>();
            builder.Services.AddHostedService<LocalEndpointService>();
        }
        return builder;
    }

    private static void AddLogging(
        HostApplicationBuilder builder,
        LogLevel logLevel,
        TextWriter error,
        Action<ILoggingBuilder>? configureLogging
    )
    {
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(logLevel);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        // Start-up failures are reported as one line, not as a stack trace.
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
    }
}
