namespace FileSync.Edge.Workspace;

/// <summary>The OS watcher: starting it, polling without one, and turning its events into dirty paths.</summary>
public sealed partial class WorkspaceSyncManager
{
    private void StartWatcher()
    {
        _watcher?.Dispose();
        _watcher = null;
        if (!RootIsUnchanged())
        {
            return;
        }
        if (!Directory.Exists(RootPath))
        {
            StartPolling();
            return;
        }
        try
        {
            var watcher = _watcherFactory.Create(RootPath, IsExcludedDirectory);
            watcher.Changed += OnWatcherChanged;
            watcher.Completed += OnWatcherCompleted;
            watcher.Error += OnWatcherError;
            watcher.Start();
            _watcher = watcher;
            StopPolling();
        }
        catch (Exception ex)
            when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            OnWatcherUnavailable(ex);
        }
    }

    /// <summary>No reliable watcher: say why once, then rescan every <see cref="PollingInterval"/> instead of missing changes.</summary>
    private void OnWatcherUnavailable(Exception ex)
    {
        _lastError = $"watcher unavailable: {ex.Message}";
        if (IsWatchLimit(ex))
        {
            Log.WatchLimitReached(_logger, RootPath, PollingInterval.TotalSeconds);
        }
        else
        {
            Log.WatcherStartFailed(_logger, RootPath, ex.Message);
        }
        StartPolling();
    }

    /// <summary>inotify ran out of watches or instances (ENOSPC / EMFILE): the user must raise a sysctl.</summary>
    internal static bool IsWatchLimit(Exception ex) =>
        (
            ex.Message.Contains("inotify", StringComparison.OrdinalIgnoreCase)
            && ex.Message.Contains("limit", StringComparison.OrdinalIgnoreCase)
        )
        || ex.Message.Contains("No space left on device", StringComparison.OrdinalIgnoreCase)
        || ex.HResult == 28;

    private void StartPolling()
    {
        if (Volatile.Read(ref _pollTimer) is not null)
        {
            return;
        }
        var timer = _time.CreateTimer(_ => RequestRescan(), null, PollingInterval, PollingInterval);
        if (Interlocked.CompareExchange(ref _pollTimer, timer, null) is not null)
        {
            timer.Dispose();
        }
    }

    private void StopPolling()
    {
        var timer = Interlocked.Exchange(ref _pollTimer, null);
        timer?.Dispose();
    }

    private void OnWatcherChanged(string fullPath) => OnWatcherEvent(fullPath, completed: false);

    private void OnWatcherCompleted(string fullPath) => OnWatcherEvent(fullPath, completed: true);

    private void OnWatcherEvent(string fullPath, bool completed)
    {
        var relative = WorkspacePaths.ToRelativePath(RootPath, fullPath);
        if (relative is null)
        {
            RequestRescan();
            return;
        }
        if (IsInsideGitDirectory(relative))
        {
            return;
        }
        if (
            UndecodableNames.MayBeUndecodable(relative)
            && FileStamp.Of(fullPath).Kind == FileKind.Missing
        )
        {
            // A name that is not valid UTF-8 (or one under such a folder): only a scan can name it.
            RequestRescan();
            return;
        }
        MarkDirty(relative, completed);
    }

    /// <summary>Directories the watcher may leave unwatched: .git and whatever the ignore rules exclude.</summary>
    private bool IsExcludedDirectory(string relative) =>
        IsInsideGitDirectory(relative) || _filter.IsIgnored(relative, isDirectory: true);

    private void OnWatcherError(Exception exception)
    {
        if (_state == WorkspaceState.RootChanged)
        {
            return;
        }
        _lastError = $"watcher error: {exception.Message}";
        if (exception is not InternalBufferOverflowException && !IsWatchLimit(exception))
        {
            // The watcher may have stopped (the root went away, perhaps to be replaced at once, or its
            // reader failed): start a new one on whatever is there. An overflow leaves it working.
            _rewatchRequested = true;
        }
        if (IsWatchLimit(exception) || !Directory.Exists(RootPath))
        {
            OnWatcherUnavailable(exception);
        }
        RequestRescan();
    }

    private static bool IsInsideGitDirectory(string relative) =>
        relative.StartsWith(".git", StringComparison.Ordinal)
        && (relative.Length == 4 || relative[4] == '/');
}
