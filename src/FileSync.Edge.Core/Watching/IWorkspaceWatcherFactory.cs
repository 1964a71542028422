namespace FileSync.Edge.Watching;

/// <summary>Creates the watcher of one workspace root.</summary>
public interface IWorkspaceWatcherFactory
{
    /// <param name="rootPath">The workspace root.</param>
    /// <param name="isExcludedDirectory">
    /// Whether a directory (relative to the root, '/'-separated) is excluded from sync, so a watcher
    /// may leave it unwatched. A hint: a watcher that watches everything is still correct.
    /// </param>
    IWorkspaceWatcher Create(string rootPath, Func<string, bool> isExcludedDirectory);
}
