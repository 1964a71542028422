namespace FileSync.Edge.Watching;

/// <summary>
/// Reports that something changed at a path under a workspace. Events are hints, not truth: the
/// sync engine decides from the file's state. Handlers must only enqueue.
/// </summary>
public interface IWorkspaceWatcher : IDisposable
{
    /// <summary>Something at this full path may have changed (created, written, deleted, renamed from or to).</summary>
    event Action<string>? Changed;

    /// <summary>
    /// A change at this full path is complete: the file was closed after writing, renamed into place,
    /// deleted or had its attributes changed. Raised instead of <see cref="Changed"/> for such events
    /// by watchers that can tell (inotify); the receiver need not wait for more writes to it.
    /// </summary>
    event Action<string>? Completed
    {
        add { }
        remove { }
    }

    /// <summary>
    /// Events may have been lost (buffer overflow, watcher failure). The receiver must rescan the
    /// workspace. The watcher has already tried to recover itself.
    /// </summary>
    event Action<Exception>? Error;

    void Start();

    /// <summary>The exclusion rules changed: watch what is no longer excluded (and may stop watching what now is).</summary>
    void Refresh() { }
}
