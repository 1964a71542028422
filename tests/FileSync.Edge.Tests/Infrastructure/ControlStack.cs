using FileSync.Edge.Control;
using FileSync.Edge.Uplink;
using FileSync.Edge.Workspace;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FileSync.Edge.Tests.Infrastructure;

/// <summary>The control stage as the agent wires it: a registry of real workspaces (fake watchers) and the dispatcher over it.</summary>
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
        var options = Options.Create(sync);
        var registry = new WorkspaceRegistry(
            options,
            uplink,
            new FakeWorkspaceWatcherFactory(),
            TimeProvider.System,
            loggers
        );
        var dispatcher = new ControlDispatcher(
            uplink,
            registry,
            options,
            Options.Create(control ?? new ControlOptions()),
            TimeProvider.System,
            loggers.CreateLogger<ControlDispatcher>(),
            store
        );
        return (registry, dispatcher);
    }
}
