using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Workspace.Pipeline;

/// <summary>
/// Loads the persisted index at start and saves it when it changed: at most every
/// <see cref="SaveInterval"/> while changes continue, at once after a full sync and at stop.
/// </summary>
internal sealed partial class IndexSaver(
    WorkspaceIndexStore? store,
    string rootPath,
    string name,
    WorkspaceIndex index,
    TimeProvider time,
    ILogger logger
)
{
    /// <summary>How often, at most, the index is persisted while changes continue.</summary>
    public static readonly TimeSpan SaveInterval = TimeSpan.FromSeconds(5);

    private bool _changed;
    private long _lastSave;

    /// <summary>The index differs from what was saved.</summary>
    public void MarkChanged() => _changed = true;

    /// <summary>Loads the saved index; true when one was restored.</summary>
    public bool Load()
    {
        _lastSave = time.GetTimestamp();
        if (store is null)
        {
            return false;
        }
        if (store.TryLoad(rootPath, index, out var problem))
        {
            Log.IndexRestored(logger, name, index.Count);
            return true;
        }
        if (problem.Length > 0)
        {
            Log.IndexDiscarded(logger, name, problem);
        }
        return false;
    }

    /// <summary>Saves when changed and due (or <paramref name="force"/>); a failure is logged and retried later.</summary>
    public void SaveIfDue(bool force)
    {
        if (store is null || !_changed || (!force && time.GetElapsedTime(_lastSave) < SaveInterval))
        {
            return;
        }
        try
        {
            store.Save(rootPath, index);
            _changed = false;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.IndexSaveFailed(logger, name, ex.Message);
        }
        _lastSave = time.GetTimestamp();
    }
}
