using FileSync.Edge.Local;
using Microsoft.Extensions.Options;

namespace FileSync.Edge.Workspace;

/// <summary>
/// Whether and where the workspaces' indexes are saved, as <see cref="SyncOptions.StateDirectory"/> says:
/// a store in that folder (unset: <see cref="AgentStateLocation.DefaultDirectory"/>), or none at all for
/// an empty string (every start reads the files again).
/// </summary>
public sealed class WorkspaceIndexPersistence
{
    public WorkspaceIndexPersistence(IOptions<SyncOptions> options)
        : this(
            options.Value.StateDirectory switch
            {
                "" => null,
                null => new WorkspaceIndexStore(AgentStateLocation.DefaultDirectory()),
                var directory => new WorkspaceIndexStore(directory),
            }
        ) { }

    private WorkspaceIndexPersistence(WorkspaceIndexStore? store) => Store = store;

    /// <summary>Indexes are not saved.</summary>
    public static WorkspaceIndexPersistence None { get; } = new((WorkspaceIndexStore?)null);

    /// <summary>The store, or null when indexes are not saved.</summary>
    public WorkspaceIndexStore? Store { get; }
}
