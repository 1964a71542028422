using FileSync.Edge.Filtering;
using FileSync.Edge.Watching;
using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Workspace.Pipeline;

/// <summary>
/// Keeps the workspace watched: starts the OS watcher, turns its events into changed paths, asks for a
/// rescan when an event cannot name a path, and polls (a rescan every <see cref="PollingInterval"/>)
/// while no watcher works — watch limit reached, root missing. Events may arrive on any thread.
/// Directories the filter excludes go unwatched, and events inside <c>.git</c> are dropped, except
/// those that change the ignore rules (<c>.git/info/exclude</c>).
/// </summary>
internal sealed partial class WatcherSupervisor(
    string rootPath,
    IWorkspaceWatcherFactory factory,
    WorkspaceIgnoreFilter filter,
    IWorkspaceSignals signals,
    TimeProvider time,
    ILogger logger
) : IDisposable
{
    /// <summary>How often a workspace without a working watcher is rescanned.</summary>
    public static readonly TimeSpan PollingInterval = TimeSpan.FromSeconds(2);

    private IWorkspaceWatcher? _watcher;
    private ITimer? _pollTimer;
    private volatile bool _halted;
    private volatile bool _rewatchRequested;

    /// <summary>
    /// (Re)starts watching the root; polls instead when it is missing or cannot be watched. Call on the
    /// loop (or before it runs).
    /// </summary>
    public void Start()
    {
        DisposeWatcher();
        if (_halted)
        {
            return;
        }
        if (!Directory.Exists(rootPath))
        {
            StartPolling();
            return;
        }
        try
        {
            var watcher = factory.Create(rootPath, filter.IsUnwatchedDirectory);
            watcher.Changed += path => OnEvent(path, completed: false);
            watcher.Completed += path => OnEvent(path, completed: true);
            watcher.Error += OnError;
            watcher.Start();
            _watcher = watcher;
            StopPolling();
        }
        catch (Exception ex)
            when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            OnUnavailable(ex);
        }
    }

    /// <summary>True once after the watcher asked to be started anew (it may have stopped).</summary>
    public bool TakeRewatchRequest()
    {
        var requested = _rewatchRequested;
        _rewatchRequested = false;
        return requested;
    }

    /// <summary>Asks for a new watcher at the end of the batch (a directory became readable).</summary>
    public void RequestRewatch() => _rewatchRequested = true;

    /// <summary>Directories no longer ignored need watches before a scan looks at them.</summary>
    public void Refresh() => _watcher?.Refresh();

    /// <summary>The root went away: stop the watcher, poll until it is back.</summary>
    public void OnRootMissing()
    {
        DisposeWatcher();
        StartPolling();
    }

    /// <summary>The workspace stopped for good (its root changed): no watching, no polling, no events.</summary>
    public void Halt()
    {
        _halted = true;
        DisposeWatcher();
        StopPolling();
    }

    public void Dispose()
    {
        DisposeWatcher();
        StopPolling();
    }

    private void OnEvent(string fullPath, bool completed)
    {
        if (_halted)
        {
            return;
        }
        var relative = WorkspacePaths.ToRelativePath(rootPath, fullPath);
        if (relative is null)
        {
            signals.RequestRescan();
            return;
        }
        if (GitDirectory.Contains(relative) && !filter.IsRulePath(relative))
        {
            return;
        }
        if (
            UndecodableNames.MayBeUndecodable(relative)
            && FileStamp.Of(fullPath).Kind == FileKind.Missing
        )
        {
            // A name that is not valid UTF-8 (or one under such a folder): only a scan can name it.
            signals.RequestRescan();
            return;
        }
        // The wire name: an NFD name on disk (macOS, or made so on Linux) is its NFC spelling.
        signals.MarkDirty(DiskNames.ToWireName(relative), completed);
    }

    private void OnError(Exception exception)
    {
        if (_halted)
        {
            return;
        }
        signals.ReportProblem($"watcher error: {exception.Message}");
        if (exception is not (InternalBufferOverflowException or WatchLimitException))
        {
            // The watcher may have stopped (the root went away, perhaps to be replaced at once, or its
            // reader failed): start a new one on whatever is there. An overflow leaves it working.
            _rewatchRequested = true;
        }
        if (exception is WatchLimitException || !Directory.Exists(rootPath))
        {
            OnUnavailable(exception);
        }
        signals.RequestRescan();
    }

    /// <summary>No reliable watcher: say why once, then rescan every <see cref="PollingInterval"/> instead of missing changes.</summary>
    private void OnUnavailable(Exception ex)
    {
        signals.ReportProblem($"watcher unavailable: {ex.Message}");
        if (ex is WatchLimitException)
        {
            Log.WatchLimitReached(logger, rootPath, PollingInterval.TotalSeconds);
        }
        else
        {
            Log.WatcherStartFailed(logger, rootPath, ex.Message);
        }
        StartPolling();
    }

    private void StartPolling()
    {
        if (Volatile.Read(ref _pollTimer) is not null)
        {
            return;
        }
        var timer = time.CreateTimer(
            _ => signals.RequestRescan(),
            null,
            PollingInterval,
            PollingInterval
        );
        if (Interlocked.CompareExchange(ref _pollTimer, timer, null) is not null)
        {
            timer.Dispose();
        }
    }

    private void StopPolling() => Interlocked.Exchange(ref _pollTimer, null)?.Dispose();

    private void DisposeWatcher()
    {
        _watcher?.Dispose();
        _watcher = null;
    }
}
