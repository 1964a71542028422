using System.Text.Json;
using FileSync.Edge.Workspace;
using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Control;

/// <summary>
/// The workspace list the agent remembers across restarts (<see cref="IWorkspaceListStore"/>, the
/// host's config file): what the server chose and what the local <c>add</c> and <c>remove</c> changed.
/// The server's commands and the local ones (another thread) both edit it, so every edit is one
/// load-change-save under a lock. A store that cannot be read or written is logged, never thrown:
/// the workspace still starts or stops for this run.
/// </summary>
/// <remarks>Logs under the control stage's category (<see cref="ControlDispatcher"/>).</remarks>
public sealed class RememberedWorkspaces(
    ILogger<ControlDispatcher> logger,
    IWorkspaceListStore? store = null
)
{
    private readonly Lock _gate = new();

    /// <summary>Remembers exactly <paramref name="roots"/> (saved even when nothing changed).</summary>
    public void ReplaceWith(IReadOnlyList<WorkspaceRoot> roots) =>
        Update(list =>
        {
            list.Clear();
            list.AddRange(roots.Select(root => root.Path));
            return true;
        });

    /// <summary>Remembers <paramref name="root"/> too, unless it is remembered already.</summary>
    public void Add(WorkspaceRoot root) =>
        Update(list =>
        {
            if (list.Any(saved => root.Equals(WorkspaceRoot.TryFrom(saved))))
            {
                return false;
            }
            list.Add(root.Path);
            return true;
        });

    /// <summary>Forgets every remembered root <paramref name="names"/> says names the folder; true when one was forgotten.</summary>
    public bool Forget(Func<WorkspaceRoot, bool> names)
    {
        var forgotten = false;
        Update(list =>
        {
            forgotten =
                list.RemoveAll(saved => WorkspaceRoot.TryFrom(saved) is { } root && names(root))
                > 0;
            return forgotten;
        });
        return forgotten;
    }

    /// <summary>Applies <paramref name="change"/> to the remembered list; saves when it says something changed.</summary>
    private void Update(Func<List<string>, bool> change)
    {
        if (store is null)
        {
            return;
        }
        try
        {
            lock (_gate)
            {
                var list = store.Load().ToList();
                if (change(list))
                {
                    store.Save(list);
                }
            }
        }
        catch (Exception ex)
            when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            ControlLog.WorkspaceListNotSaved(logger, ex.Message);
        }
    }
}
