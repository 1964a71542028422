namespace FileSync.Edge.Watching;

/// <summary>
/// The OS ran out of file watches or watcher instances (inotify's ENOSPC / EMFILE): the user must raise
/// a limit (the message names the sysctl). The workspace falls back to polling.
/// </summary>
public sealed class WatchLimitException : IOException
{
    /// <summary>errno ENOSPC, which inotify returns when the watch limit is reached.</summary>
    private const int NoSpace = 28;

    public WatchLimitException(string message)
        : base(message, NoSpace) { }

    public WatchLimitException(string message, Exception inner)
        : base(message, inner)
    {
        HResult = NoSpace;
    }
}
