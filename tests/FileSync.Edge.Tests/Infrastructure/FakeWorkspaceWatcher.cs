using FileSync.Edge.Watching;

namespace FileSync.Edge.Tests.Infrastructure;

/// <summary>A watcher driven by the test: it raises exactly the events the test asks for, nothing else.</summary>
public sealed class FakeWorkspaceWatcher : IWorkspaceWatcher
{
    public event Action<string>? Changed;
    public event Action<string>? Completed;
    public event Action<Exception>? Error;

    public bool Started { get; private set; }
    public bool Disposed { get; private set; }

    public void Start() => Started = true;

    public void RaiseChanged(string fullPath) => Changed?.Invoke(fullPath);

    /// <summary>As inotify reports a file closed after writing or renamed into place.</summary>
    public void RaiseCompleted(string fullPath) => Completed?.Invoke(fullPath);

    public void RaiseError(Exception exception) => Error?.Invoke(exception);

    public void Dispose() => Disposed = true;
}

/// <summary>Hands out <see cref="FakeWorkspaceWatcher"/>s and remembers them by root.</summary>
public sealed class FakeWorkspaceWatcherFactory : IWorkspaceWatcherFactory
{
    public Dictionary<string, FakeWorkspaceWatcher> Watchers { get; } = [];

    public IWorkspaceWatcher Create(string rootPath, Func<string, bool> isExcludedDirectory)
    {
        var watcher = new FakeWorkspaceWatcher();
        Watchers[rootPath] = watcher;
        return watcher;
    }
}
