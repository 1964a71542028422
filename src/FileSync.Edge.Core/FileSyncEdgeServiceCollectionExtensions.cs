using FileSync.Edge.Control;
using FileSync.Edge.Local;
using FileSync.Edge.Uplink;
using FileSync.Edge.Watching;
using FileSync.Edge.Workspace;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers the FileSync.Edge engine: every part once, each constructed by the container from its
/// constructor (<c>TryAdd</c>: a part registered before wins, as tests and the host do). Options are bound
/// by the host. The host also provides <see cref="IWorkspaceListStore"/> (optional: without it nothing is
/// remembered), <see cref="ISyncProgress"/> (optional), and, for the local commands,
/// <see cref="IAgentShutdown"/> and <see cref="LocalCommandOptions"/> (the endpoint's server and its
/// claimed listener too, when it has one).
/// </summary>
public static class FileSyncEdgeServiceCollectionExtensions
{
    public static IServiceCollection AddFileSyncEdgeCore(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptionsWithValidateOnStart<SyncOptions, SyncOptionsValidator>();
        services.AddOptionsWithValidateOnStart<UplinkOptions, UplinkOptionsValidator>();
        services.TryAddEnumerable(
            ServiceDescriptor.Singleton<
                IValidateOptions<UplinkOptions>,
                UplinkOptionsCustomValidator
            >()
        );

        // Uplink: the one reconnecting WebSocket.
        services.TryAddSingleton<IReconnectPolicy>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<UplinkOptions>>().Value;
            return new DefaultReconnectPolicy(
                TimeSpan.FromSeconds(options.MaxReconnectDelaySeconds),
                longDelay: options.LongRetry,
                longMaxDelay: options.LongRetryMax
            );
        });
        services.TryAddSingleton(sp => new UplinkConnection(
            sp.GetRequiredService<IOptions<UplinkOptions>>().Value,
            sp.GetRequiredService<IReconnectPolicy>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<UplinkConnection>>()
        ));
        services.TryAddSingleton<IUplink>(sp => sp.GetRequiredService<UplinkConnection>());

        // Workspaces.
        services.TryAddSingleton<IWorkspaceWatcherFactory, WorkspaceWatcherFactory>();
        services.TryAddSingleton<WorkspaceIndexPersistence>();
        services.TryAddSingleton<MemoryTrimmer>();
        services.TryAddSingleton<WorkspaceRegistry>();

        // Control: the server's commands (WorkspaceCommands is shared with the local add and remove).
        services.TryAddSingleton<RememberedWorkspaces>();
        services.TryAddSingleton<WorkspaceCommands>();
        services.TryAddSingleton<FileRequestHandler>();
        services.TryAddSingleton<WorkspaceRequestHandler>();
        services.TryAddSingleton<EdgeStatusReporter>();
        services.TryAddSingleton<ControlReplies>();
        services.TryAddSingleton<ControlDispatcher>();

        // Local: the commands of the local control endpoint (served when the host claimed one).
        services.TryAddSingleton<LogRing>();
        services.TryAddSingleton<ILocalCommandHandler, LocalCommandHandler>();
        return services;
    }
}
