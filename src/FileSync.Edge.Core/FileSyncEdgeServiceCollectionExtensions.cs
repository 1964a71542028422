using FileSync.Edge.Control;
using FileSync.Edge.Uplink;
using FileSync.Edge.Watching;
using FileSync.Edge.Workspace;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the FileSync.Edge engine. Options are bound by the host.</summary>
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
        services.TryAddSingleton<IWorkspaceWatcherFactory, WorkspaceWatcherFactory>();
        services.TryAddSingleton<MemoryTrimmer>();
        services.TryAddSingleton(sp => new WorkspaceRegistry(
            sp.GetRequiredService<IOptions<SyncOptions>>(),
            sp.GetRequiredService<IUplink>(),
            sp.GetRequiredService<IWorkspaceWatcherFactory>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>(),
            sp.GetService<ISyncProgress>(),
            sp.GetService<WorkspaceIndexStore>(),
            sp.GetRequiredService<MemoryTrimmer>()
        ));
        services.TryAddSingleton(sp =>
        {
            var directory = sp.GetRequiredService<IOptions<SyncOptions>>().Value.StateDirectory;
            return directory == ""
                ? null!
                : new WorkspaceIndexStore(directory ?? WorkspaceIndexStore.DefaultStateDirectory());
        });
        services.TryAddSingleton<ControlDispatcher>();
        services.TryAddSingleton(sp => sp.GetRequiredService<ControlDispatcher>().Workspaces);
        return services;
    }
}
