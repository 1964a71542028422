using FileSync.Edge.Control;
using FileSync.Edge.Uplink;
using FileSync.Edge.Watching;
using FileSync.Edge.Workspace;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FileSync.Edge.Tests.Infrastructure;

/// <summary>
/// The control stage as the agent wires it (<c>AddFileSyncEdgeCore</c>): a registry of real workspaces
/// (fake watchers, no saved index) and the dispatcher over it, with the given uplink, logs and options.
/// </summary>
public static class ControlStack
{
    public static (WorkspaceRegistry Registry, ControlDispatcher Dispatcher) Create(
        IUplink uplink,
        ILoggerFactory loggers,
        SyncOptions sync,
        ControlOptions? control = null,
        IWorkspaceListStore? store = null
    )
    {
        var services = new ServiceCollection();
        services.AddSingleton(uplink);
        services.AddSingleton(loggers);
        services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        services.AddSingleton<IWorkspaceWatcherFactory>(new FakeWorkspaceWatcherFactory());
        services.AddSingleton(WorkspaceIndexPersistence.None);
        services.AddSingleton(Options.Create(sync));
        services.AddSingleton(Options.Create(control ?? new ControlOptions()));
        if (store is not null)
        {
            services.AddSingleton(store);
        }
        services.AddFileSyncEdgeCore();
        var provider = services.BuildServiceProvider();
        return (
            provider.GetRequiredService<WorkspaceRegistry>(),
            provider.GetRequiredService<ControlDispatcher>()
        );
    }
}
