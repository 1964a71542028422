namespace FileSync.Edge.Watching;

/// <summary>Creates the watcher of one workspace root.</summary>
public interface IWorkspaceWatcherFactory
{
    IWorkspaceWatcher Create(string rootPath);
}
