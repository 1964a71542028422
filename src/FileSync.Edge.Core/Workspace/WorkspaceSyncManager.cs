using System.Collections.Concurrent;
using System.Text.Unicode;
using System.Threading.Channels;
using FileSync.Edge.Filtering;
using FileSync.Edge.Protocol;
using FileSync.Edge.Uplink;
using FileSync.Edge.Watching;
using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Workspace;

/// <summary>
/// Keeps one workspace mirrored on the server. State-based: watcher events only mark paths dirty;
/// every batch decides from each dirty path's current state what to send. The index holds what is on
/// disk, <c>_serverState</c> what the server was sent on the current session; a batch sends the
/// difference. A new session (connect, reconnect) starts with a full sync: manifest exchange when the
/// server has the capability, a full re-send otherwise.
/// </summary>
public sealed partial class WorkspaceSyncManager : IAsyncDisposable
{
    private static readonly TimeSpan s_manifestTimeout = TimeSpan.FromSeconds(60);
    private const int ManifestChunkEntries = 4000;

    private readonly SyncOptions _options;
    private readonly IUplink _uplink;
    private readonly IWorkspaceWatcherFactory _watcherFactory;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ISyncProgress? _progress;
    private readonly WorkspaceIndexStore? _indexStore;
    private readonly WorkspaceIgnoreFilter _filter;
    private readonly WorkspaceScanner _scanner;
    private readonly FileContentReader _reader;
    private readonly SyncMessageBuilder _messages;
    private readonly WorkspaceIndex _index = new();
    private readonly Dictionary<string, string> _serverState = new(PathComparer.Default);
    private readonly Dictionary<string, FileReadStatus> _skipped = new(PathComparer.Default);
    private readonly Dictionary<string, string> _errors = new(PathComparer.Default);

    /// <summary>
    /// The server's state of a file it said it needs: absent there, or there in another version. A file
    /// in this state is sent as a create; if it is gone first, a delete goes out.
    /// </summary>
    private const string MaybeOnServer = "?";

    /// <summary>Content read during a manifest pass, for the files the server may then ask for (bounded by <see cref="HeldContentBudget"/>).</summary>
    private readonly Dictionary<string, (string Hash, byte[] Content)> _heldContent = new(
        PathComparer.Default
    );
    private const long HeldContentBudget = 16 * 1024 * 1024;
    private long _heldBytes;
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1)
        {
            FullMode = BoundedChannelFullMode.DropWrite,
            SingleReader = true,
        }
    );
    private readonly Lock _dirtyGate = new();
    private readonly TaskCompletionSource _initialSync = new(
        TaskCreationOptions.RunContinuationsAsynchronously
    );
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _failure = new(
        TaskCreationOptions.RunContinuationsAsynchronously
    );

    /// <summary>Files the server reported it could not apply, handled on the loop.</summary>
    private readonly ConcurrentQueue<(string Path, string Code, string Message)> _rejections =
        new();

    /// <summary>Files the server could not apply: retried with backoff, counted as errors until applied.</summary>
    private readonly RejectionTracker _rejected;

    private HashSet<string> _dirty = new(PathComparer.Default);
    private readonly HashSet<string> _unsettled = new(PathComparer.Default);
    private bool _dirtyOverflowed;
    private volatile bool _rescanRequested;
    private volatile bool _resyncRequested;
    private volatile bool _rewatchRequested;
    private long _syncedEpoch = -1;
    private long _refusalReportedEpoch = -1;
    private long _lastBatchTimestamp;
    private bool _initialSyncLogged;
    private IWorkspaceWatcher? _watcher;

    /// <summary>Which folder the root really was when first seen; see <see cref="RootIdentity"/>.</summary>
    private RootIdentity? _rootIdentity;
    private ITimer? _rescanTimer;
    private ITimer? _pollTimer;
    private Task? _loop;
    private TaskCompletionSource<ManifestDiffPayload>? _pendingManifestDiff;
    private volatile WorkspaceState _state = WorkspaceState.Waiting;
    private volatile string? _lastError;
    private int _statusFiles;
    private long _statusBytes;
    private int _statusSkipped;
    private int _statusErrors;
    private IReadOnlyList<FileProblem> _statusErrorFiles = [];
    private IReadOnlyList<FileProblem> _statusSkippedFiles = [];
    private int _disposed;
    private long _messagesSent;
    private bool _indexChanged;
    private long _lastIndexSave;
    private int _batchesWithSends;

    public WorkspaceSyncManager(
        string rootPath,
        SyncOptions options,
        IUplink uplink,
        IWorkspaceWatcherFactory watcherFactory,
        TimeProvider time,
        ILogger logger,
        ISyncProgress? progress = null,
        WorkspaceIndexStore? indexStore = null
    )
    {
        _indexStore = indexStore;
        RootPath = WorkspacePaths.NormalizeRoot(rootPath);
        Name = Path.GetFileName(RootPath);
        _options = options;
        _uplink = uplink;
        _watcherFactory = watcherFactory;
        _time = time;
        _logger = logger;
        _progress = progress;
        _filter = new WorkspaceIgnoreFilter(RootPath);
        _scanner = new WorkspaceScanner(RootPath, _filter);
        _reader = new FileContentReader(RootPath, options.MaxFileBytes);
        _messages = new SyncMessageBuilder(RootPath);
        _rejected = new RejectionTracker(time);
    }

    /// <summary>Absolute, normalised path of the workspace root.</summary>
    public string RootPath { get; }

    /// <summary>The folder name of the workspace (the server mirrors it under this name).</summary>
    public string Name { get; }

    public WorkspaceState State => _state;

    /// <summary>The last error worth showing a user, or null.</summary>
    public string? LastError => _lastError;

    /// <summary>How many files have had their content read (and hashed) so far.</summary>
    public long FilesRead => _reader.FilesRead;

    /// <summary>How many batches (incremental, rescan or full sync) sent at least one message.</summary>
    public int BatchesWithSends => Volatile.Read(ref _batchesWithSends);

    /// <summary>Completes when the first full sync has been sent (or the workspace was refused).</summary>
    public Task InitialSyncCompleted => _initialSync.Task;

    /// <summary>A point-in-time view for <c>edge:status</c>.</summary>
    public WorkspaceStatus GetStatus() =>
        new()
        {
            Path = RootPath,
            State = _state.ToString().ToLowerInvariant(),
            Files = Volatile.Read(ref _statusFiles),
            Bytes = Interlocked.Read(ref _statusBytes),
            Skipped = Volatile.Read(ref _statusSkipped),
            FilesRead = _reader.FilesRead,
            Errors = Volatile.Read(ref _statusErrors),
            LastError = _lastError,
            ErrorFiles = Volatile.Read(ref _statusErrorFiles),
            SkippedFiles = Volatile.Read(ref _statusSkippedFiles),
        };

    /// <summary>True when <paramref name="relativePath"/> is excluded by this workspace's ignore rules.</summary>
    public bool IsExcluded(string relativePath) =>
        _filter.IsIgnored(
            relativePath,
            Directory.Exists(WorkspacePaths.ToFullPath(RootPath, relativePath))
        );

    /// <summary>Reads a file for the server (same size limit and binary rule as sync). Thread-safe.</summary>
    public FileReadResult ReadForServer(string relativePath) =>
        _reader.Read(relativePath, skipIfMatches: null, keepContent: true);

    /// <summary>The filtered list of files that are (or would be) synced, sorted. Thread-safe; scans the disk.</summary>
    public IReadOnlyList<string> ListFiles(CancellationToken cancellationToken = default)
    {
        if (_state == WorkspaceState.RootChanged || !RootIdentityStillHolds())
        {
            return [];
        }
        // Regular files only: a FIFO, socket or device is never synced, so it is not listed either.
        var files = _scanner
            .ScanAll(cancellationToken)
            .Files.Where(f => f.Size <= _options.MaxFileBytes && IsRegularFile(f.RelativePath))
            .Select(f => f.RelativePath)
            .ToList();
        files.Sort(StringComparer.Ordinal);
        return files;
    }

    /// <summary>
    /// What <c>ctx:workspace_request</c> tells (relative paths, sorted): the files that are synced, the files
    /// that are not (ignored, too large, not regular), and the ignored folders (not entered). Thread-safe.
    /// </summary>
    public (
        IReadOnlyList<string> Synced,
        IReadOnlyList<string> FilteredFiles,
        IReadOnlyList<string> FilteredDirectories
    ) Describe(CancellationToken cancellationToken = default)
    {
        if (_state == WorkspaceState.RootChanged || !RootIdentityStillHolds())
        {
            return ([], [], []);
        }
        var scan = _scanner.Scan("", collectIgnored: true, cancellationToken);
        var synced = new List<string>();
        var filtered = new List<string>(scan.IgnoredFiles);
        foreach (var file in scan.Files)
        {
            (
                file.Size <= _options.MaxFileBytes && IsRegularFile(file.RelativePath)
                    ? synced
                    : filtered
            ).Add(file.RelativePath);
        }
        synced.Sort(StringComparer.Ordinal);
        filtered.Sort(StringComparer.Ordinal);
        scan.IgnoredDirectories.Sort(StringComparer.Ordinal);
        return (synced, filtered, scan.IgnoredDirectories);
    }

    /// <summary>
    /// The entries of a folder of the workspace as the server may see them: one name per line, sorted,
    /// '/' after folders; ignored entries, links and special files left out. Thread-safe; reads the disk.
    /// </summary>
    public string ListDirectory(string relativeDirectory)
    {
        if (_state == WorkspaceState.RootChanged || !RootIdentityStillHolds())
        {
            return "";
        }
        var names = new List<string>();
        var full = WorkspacePaths.ToFullPath(RootPath, relativeDirectory);
        foreach (var entry in new DirectoryInfo(full).EnumerateFileSystemInfos())
        {
            var relative =
                relativeDirectory.Length == 0 ? entry.Name : relativeDirectory + "/" + entry.Name;
            var stamp = FileStamp.Of(entry.FullName);
            var isDirectory = stamp.Kind == FileKind.Directory;
            if (
                stamp.Kind is not (FileKind.Directory or FileKind.RegularFile)
                || IsInsideGitDirectory(relative)
                || _filter.IsIgnored(relative, isDirectory)
            )
            {
                continue;
            }
            names.Add(isDirectory ? entry.Name + "/" : entry.Name);
        }
        names.Sort(StringComparer.Ordinal);
        return string.Join('\n', names);
    }

    private bool IsRegularFile(string relativePath)
    {
        try
        {
            return FileStamp.Of(WorkspacePaths.ToFullPath(RootPath, relativePath)).Kind
                == FileKind.RegularFile;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Thread-safe look (no state change) at whether the root is still the folder it was.</summary>
    private bool RootIdentityStillHolds() =>
        Volatile.Read(ref _rootIdentity) is not { } known
        || RootIdentity.Of(RootPath) is not { } now
        || known.ChangeTo(now) is null;

    /// <summary>Starts watching and syncing. Returns once the watcher is armed.</summary>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        LoadSavedIndex();
        _rootIdentity = RootIdentity.Of(RootPath);
        _uplink.SessionChanged += Wake;
        StartWatcher();
        if (_options.RescanMinutes > 0)
        {
            _rescanTimer = _time.CreateTimer(
                _ => RequestRescan(),
                null,
                _options.RescanInterval,
                _options.RescanInterval
            );
        }
        _loop = RunAsync(_stopping.Token);
        Wake();
        return Task.CompletedTask;
    }

    /// <summary>
    /// Completes (faulted) only if the workspace's loop dies of something it cannot survive, such as
    /// running out of memory; the host ends the agent then rather than leave the workspace unsynced.
    /// </summary>
    public Task Failure => _failure.Task;

    /// <summary>How often, at most, the index is persisted while changes continue.</summary>
    private static readonly TimeSpan s_indexSaveInterval = TimeSpan.FromSeconds(5);

    private void LoadSavedIndex()
    {
        if (_indexStore is null)
        {
            return;
        }
        if (_indexStore.TryLoad(RootPath, _index, out var problem))
        {
            // What we had sent before the restart is what the server is assumed to hold; every full sync
            // (manifest or re-send) corrects that assumption.
            foreach (var (path, entry) in _index.Entries)
            {
                _serverState[path] = entry.Hash;
            }
            Log.IndexRestored(_logger, Name, _index.Count);
        }
        else if (problem.Length > 0)
        {
            Log.IndexDiscarded(_logger, Name, problem);
        }
        _lastIndexSave = _time.GetTimestamp();
    }

    private void SaveIndexIfDue(bool force)
    {
        if (
            _indexStore is null
            || !_indexChanged
            || (!force && _time.GetElapsedTime(_lastIndexSave) < s_indexSaveInterval)
        )
        {
            return;
        }
        try
        {
            _indexStore.Save(RootPath, _index);
            _indexChanged = false;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.IndexSaveFailed(_logger, Name, ex.Message);
        }
        _lastIndexSave = _time.GetTimestamp();
    }

    /// <summary>Rescans the whole workspace in the next batch and sends only real differences.</summary>
    public void RequestRescan()
    {
        _rescanRequested = true;
        Wake();
    }

    /// <summary>Re-sends the whole workspace (or re-runs the manifest exchange) in the next batch.</summary>
    public void RequestResync()
    {
        _resyncRequested = true;
        Wake();
    }

    /// <summary>Delivers the server's answer to our manifest.</summary>
    public void OnManifestDiff(ManifestDiffPayload diff) =>
        Volatile.Read(ref _pendingManifestDiff)?.TrySetResult(diff);

    /// <summary>
    /// The server could not apply our create, modify or delete of <paramref name="relativePath"/> (for
    /// example it failed to write it). The server's copy of that file is unknown now: it is sent again,
    /// a few times per connection, then counted as a sync error until the next connection.
    /// </summary>
    public void OnServerRejected(string relativePath, string code, string message)
    {
        _rejections.Enqueue((relativePath, code, message));
        Wake();
    }

    /// <summary>A relative path as this agent writes them: no empty, '.' or '..' segment, no leading or trailing '/'.</summary>
    private static bool IsWellFormedRelativePath(string path) =>
        path.Length > 0
        && !path.Split('/')
            .Any(segment =>
                segment is "" or "." or ".." || segment.Contains('\\') || segment.Contains('\0')
            );

    /// <summary>
    /// On the loop: forget what the server has of each rejected file and send it again after a backoff
    /// (a transient failure) or when it changes (a name the server cannot store); forget the failures
    /// whose last send the server accepted.
    /// </summary>
    private void ApplyRejections()
    {
        while (_rejections.TryDequeue(out var rejection))
        {
            var (path, code, message) = rejection;
            if (!IsWellFormedRelativePath(path))
            {
                continue;
            }
            if (!_rejected.Contains(path) && _rejected.Count >= _options.MaxFiles * 2 + 100)
            {
                // More failing files than this workspace could ever send: a confused or hostile server;
                // tracking them all would only grow memory.
                continue;
            }
            var retryIn = _rejected.OnRejected(path, code, message, out var attempts);
            if (attempts == 1)
            {
                Log.ServerRejectedFile(
                    _logger,
                    RootPath,
                    path,
                    code,
                    message,
                    retryIn is null ? "not retried until it changes" : "retrying with backoff"
                );
            }
            else
            {
                Log.ServerRejectedFileAgain(
                    _logger,
                    RootPath,
                    path,
                    code,
                    attempts,
                    retryIn?.TotalSeconds ?? 0
                );
            }
            _lastError = $"{path}: the server could not apply it ({code}): {message}";
            // Unknown content on the server: a file still here is sent again, one gone is deleted again.
            _serverState[path] = "";
            if (retryIn is { } delay)
            {
                _ = RetryLaterAsync(path, delay);
            }
        }
        foreach (var path in _rejected.TakeConfirmed())
        {
            Log.ServerAppliedFile(_logger, RootPath, path);
        }
    }

    /// <summary>Wakes the loop when a file sent again after a rejection has gone unanswered long enough to count as applied.</summary>
    private void ArmConfirmationTimer()
    {
        if (_rejected.NextConfirmationIn() is not { } due)
        {
            return;
        }
        _confirmTimer ??= _time.CreateTimer(
            _ => Wake(),
            null,
            Timeout.InfiniteTimeSpan,
            Timeout.InfiniteTimeSpan
        );
        _confirmTimer.Change(due + TimeSpan.FromMilliseconds(10), Timeout.InfiniteTimeSpan);
    }

    private ITimer? _confirmTimer;

    private async Task RetryLaterAsync(string path, TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, _time, _stopping.Token).ConfigureAwait(false);
            MarkDirty(path);
        }
        catch (OperationCanceledException)
        {
            // Stopped meanwhile.
        }
    }

    /// <summary>Sends whatever is pending right now instead of waiting for the batch timer (tests, shutdown).</summary>
    internal void MarkDirty(string relativePath) => MarkDirty(relativePath, completed: false);

    /// <param name="relativePath">What changed.</param>
    /// <param name="completed">The change is known to be complete (see <see cref="IWorkspaceWatcher.Completed"/>): no settle needed for it.</param>
    private void MarkDirty(string relativePath, bool completed)
    {
        if (_state == WorkspaceState.RootChanged)
        {
            return;
        }
        lock (_dirtyGate)
        {
            if (_dirty.Count >= _options.MaxDirtyPaths)
            {
                _dirtyOverflowed = true;
                _dirty.Clear();
                _unsettled.Clear();
            }
            else
            {
                _dirty.Add(relativePath);
                if (completed)
                {
                    _unsettled.Remove(relativePath);
                }
                else
                {
                    _unsettled.Add(relativePath);
                }
            }
        }
        Wake();
    }

    /// <summary>Whether some pending change may still be in the making (a file written to but not yet closed).</summary>
    private bool HasUnsettledChanges
    {
        get
        {
            lock (_dirtyGate)
            {
                return _unsettled.Count > 0 || _dirtyOverflowed || _rescanRequested;
            }
        }
    }

    private void Wake() => _wake.Writer.TryWrite(true);

    /// <summary>How often a workspace without a working watcher (watch limit reached, root missing) is rescanned.</summary>
    internal static readonly TimeSpan PollingInterval = TimeSpan.FromSeconds(2);

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

    private bool HasPendingWork
    {
        get
        {
            if (
                _rescanRequested
                || _resyncRequested
                || !_rejections.IsEmpty
                || _rejected.HasDueConfirmations
            )
            {
                return true;
            }
            lock (_dirtyGate)
            {
                return _dirty.Count > 0 || _dirtyOverflowed;
            }
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var session = await WaitForWorkAsync(cancellationToken).ConfigureAwait(false);
                var sentBefore = _messagesSent;
                try
                {
                    await RunBatchAsync(session, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    if (_messagesSent != sentBefore)
                    {
                        Interlocked.Increment(ref _batchesWithSends);
                        // Only a batch that sent something starts a busy period; an empty one (a save's
                        // trailing events) must not delay the next lone change by a batch interval.
                        _lastBatchTimestamp = _time.GetTimestamp();
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (SessionLostException)
            {
                // The connection went away mid-batch; the next session converges with a full sync.
                Interlocked.Exchange(ref _syncedEpoch, -1);
            }
            catch (OutOfMemoryException ex)
            {
                _lastError = ex.Message;
                _failure.TrySetException(ex);
                break;
            }
            catch (Exception ex)
            {
                _lastError = ex.Message;
                Log.BatchFailed(_logger, RootPath, ex);
                _rescanRequested = true;
                try
                {
                    await Task.Delay(_options.BatchInterval, _time, cancellationToken)
                        .ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
            finally
            {
                if (_rewatchRequested)
                {
                    _rewatchRequested = false;
                    StartWatcher();
                    _rescanRequested = true; // anything that changed while unwatched
                }
                ArmConfirmationTimer();
                PublishStatus();
                SaveIndexIfDue(force: _state != WorkspaceState.Watching);
                if (!HasPendingWork)
                {
                    MemoryTrimmer.TrimIfWorthIt();
                }
            }
        }
        _state = WorkspaceState.Stopped;
    }

    /// <summary>
    /// Waits until there is a session and something to do. A new session is served at once; the first
    /// change after a quiet period waits only the settle time; later changes are batched at most once
    /// per batch interval.
    /// </summary>
    private async Task<UplinkSession> WaitForWorkAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var session = _uplink.Session;
            if (session is not null)
            {
                if (session.Epoch != Interlocked.Read(ref _syncedEpoch))
                {
                    return session;
                }
                if (HasPendingWork)
                {
                    var sinceLastBatch = _time.GetElapsedTime(_lastBatchTimestamp);
                    if (sinceLastBatch >= _options.BatchInterval)
                    {
                        await SettleAsync(cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        var delay = _options.BatchInterval - sinceLastBatch;
                        await Task.Delay(
                                delay < _options.Settle ? _options.Settle : delay,
                                _time,
                                cancellationToken
                            )
                            .ConfigureAwait(false);
                    }
                    return _uplink.Session ?? session;
                }
            }
            await _wake.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The leading edge after a quiet period: waits the settle time for a change still in the making,
    /// but no longer than until every pending change is known complete (closed after writing, renamed
    /// into place, deleted) — a saved file goes out at once.
    /// </summary>
    private async Task SettleAsync(CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        while (HasUnsettledChanges)
        {
            var remaining = _options.Settle - _time.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                return;
            }
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var elapsed = Task.Delay(remaining, _time, stop.Token);
            var woken = _wake.Reader.WaitToReadAsync(stop.Token).AsTask();
            var first = await Task.WhenAny(elapsed, woken).ConfigureAwait(false);
            await stop.CancelAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            if (first == elapsed)
            {
                return;
            }
            _wake.Reader.TryRead(out _);
        }
    }

    private async Task RunBatchAsync(UplinkSession session, CancellationToken cancellationToken)
    {
        ApplyRejections();
        if (session.Epoch != Interlocked.Read(ref _syncedEpoch) || _resyncRequested)
        {
            _resyncRequested = false;
            await FullSyncAsync(session, cancellationToken).ConfigureAwait(false);
            return;
        }
        HashSet<string> dirty;
        bool overflowed;
        lock (_dirtyGate)
        {
            dirty = _dirty;
            overflowed = _dirtyOverflowed;
            _dirty = new HashSet<string>(PathComparer.Default);
            _dirtyOverflowed = false;
            _unsettled.Clear(); // whatever is still being written is re-checked by the reader's stability test
        }
        if (overflowed)
        {
            Log.DirtySetOverflowed(_logger, RootPath, _options.MaxDirtyPaths);
            _rescanRequested = true;
        }
        if (!_rescanRequested && !Directory.Exists(RootPath))
        {
            // The workspace folder itself went away (its own deletion is not always reported).
            _rescanRequested = true;
        }
        if (
            !_rescanRequested
            && dirty.Any(p => WorkspaceIgnoreFilter.IsIgnoreFileName(WorkspacePaths.FileName(p)))
        )
        {
            Log.IgnoreRulesChanged(_logger, RootPath);
            _rescanRequested = true;
        }
        if (_rescanRequested)
        {
            _rescanRequested = false;
            if (_state is not WorkspaceState.Watching)
            {
                // Refused or missing until now: a full sync resumes it (and ends with file_done).
                await FullSyncAsync(session, cancellationToken).ConfigureAwait(false);
                return;
            }
            _filter.Invalidate();
            _watcher?.Refresh(); // directories no longer ignored need watches before the scan looks at them
            await RescanAsync(session, resendAll: false, indexOnly: false, cancellationToken)
                .ConfigureAwait(false);
            return;
        }
        if (_state == WorkspaceState.RootChanged || (dirty.Count > 0 && !RootIsUnchanged()))
        {
            await ReportRootChangedAsync(session, cancellationToken).ConfigureAwait(false);
            return;
        }
        if (_state == WorkspaceState.Refused && dirty.Count > 0)
        {
            // Over the file limit: count again (a scan, no reads); under it, the full sync resumes the workspace.
            await FullSyncAsync(session, cancellationToken).ConfigureAwait(false);
            return;
        }
        if (_state != WorkspaceState.Watching || dirty.Count == 0)
        {
            return;
        }
        var candidates = ExpandDirtyPaths(dirty, cancellationToken);
        // A change notification is never answered from the index: size and mtime can stay the same
        // across a real change (same-size edit within one timestamp tick, a restored mtime).
        var context = new BatchContext(session, ResendAll: false, IndexOnly: false)
        {
            ContentCheck = true,
        };
        await SyncPathsAsync(BuildWorkItems(candidates, context), context, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>
    /// Turns dirty paths into the files to re-check: a directory expands into the files under it on disk
    /// (a new directory's files may predate its watch) and in the index (a deleted or renamed directory).
    /// </summary>
    private HashSet<string> ExpandDirtyPaths(
        HashSet<string> dirty,
        CancellationToken cancellationToken
    )
    {
        var candidates = new HashSet<string>(PathComparer.Default);
        var safeDirectories = new HashSet<string>(PathComparer.Default);
        if (
            dirty.Any(p =>
                !_index.Contains(p) && !File.Exists(WorkspacePaths.ToFullPath(RootPath, p))
            )
        )
        {
            // A directory appeared, vanished or moved: ignore files may have come or gone with it.
            _filter.Invalidate();
        }
        foreach (var path in dirty)
        {
            if (!HasNoLinkedAncestor(path, safeDirectories))
            {
                // Reached through a symlinked directory: never read; whatever we had there is gone.
                AddIndexedUnder(path, candidates);
                candidates.Add(path);
                continue;
            }
            var fullPath = WorkspacePaths.ToFullPath(RootPath, path);
            var directory = new DirectoryInfo(fullPath);
            if (directory.Exists && directory.LinkTarget is null)
            {
                if (!_filter.IsIgnored(path, isDirectory: true))
                {
                    var scan = _scanner.Scan(path, cancellationToken);
                    foreach (var file in scan.Files)
                    {
                        candidates.Add(file.RelativePath);
                    }
                    RecordUnreadableDirectories(scan);
                    RecordInvalidNames(scan, complete: false);
                }
                AddIndexedUnder(path, candidates);
                continue;
            }
            candidates.Add(path);
            if (!_index.Contains(path) && !_serverState.ContainsKey(path))
            {
                AddIndexedUnder(path, candidates);
            }
        }
        return candidates;
    }

    private void AddIndexedUnder(string directory, HashSet<string> candidates)
    {
        foreach (var path in _index.PathsUnder(directory))
        {
            candidates.Add(path);
        }
        var prefix = directory + "/";
        foreach (var path in _serverState.Keys)
        {
            if (path.StartsWith(prefix, PathComparer.Comparison))
            {
                candidates.Add(path);
            }
        }
    }

    /// <summary>True when no directory between the root and <paramref name="relativePath"/> is a symlink.</summary>
    private bool HasNoLinkedAncestor(string relativePath, HashSet<string> verified)
    {
        var parent = WorkspacePaths.Parent(relativePath);
        while (parent.Length > 0 && !verified.Contains(parent))
        {
            var info = new DirectoryInfo(WorkspacePaths.ToFullPath(RootPath, parent));
            if (info.Exists && info.LinkTarget is not null)
            {
                return false;
            }
            verified.Add(parent);
            parent = WorkspacePaths.Parent(parent);
        }
        return true;
    }

    private async Task FullSyncAsync(UplinkSession session, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        if (
            _state
            is not (WorkspaceState.Refused or WorkspaceState.Missing or WorkspaceState.RootChanged)
        )
        {
            _state = WorkspaceState.Syncing;
        }
        _filter.Invalidate();
        var useManifest = session.Has(Capabilities.Manifest);
        var synced = useManifest
            ? await ManifestSyncAsync(session, cancellationToken).ConfigureAwait(false)
            : await RescanAsync(session, resendAll: true, indexOnly: false, cancellationToken)
                .ConfigureAwait(false);
        if (!synced)
        {
            Interlocked.Exchange(ref _syncedEpoch, session.Epoch);
            _initialSync.TrySetResult();
            return;
        }
        var stats = CurrentStats();
        await SendOrThrowAsync(session, _messages.FileDone(session, stats), cancellationToken)
            .ConfigureAwait(false);
        Interlocked.Exchange(ref _syncedEpoch, session.Epoch);
        PublishStatus(); // counters first: whoever sees "watching" sees the counts of the finished sync
        _state = WorkspaceState.Watching;
        SaveIndexIfDue(force: true);
        var elapsed = _time.GetElapsedTime(started);
        _progress?.Report(
            new SyncProgressSnapshot(
                Name,
                _index.Count + _skipped.Count,
                _index.Count,
                _index.Count,
                Completed: true
            )
        );
        if (!_initialSyncLogged)
        {
            _initialSyncLogged = true;
            Log.InitialSyncDone(
                _logger,
                Name,
                stats.FilesSynced,
                stats.BytesSynced,
                stats.FilesSkipped,
                _skipped.Values.Count(s => s == FileReadStatus.TooLarge),
                _skipped.Values.Count(s => s == FileReadStatus.Binary),
                _errors.Count + _rejected.Count,
                elapsed.TotalSeconds
            );
        }
        else
        {
            Log.ResyncDone(
                _logger,
                Name,
                stats.FilesSynced,
                useManifest ? "manifest" : "full re-send",
                elapsed.TotalSeconds
            );
        }
        _initialSync.TrySetResult();
    }

    /// <summary>
    /// Scans the whole workspace and converges: files not on disk any more are deleted, changed ones
    /// sent. With <paramref name="resendAll"/> every file is sent (a legacy server after a reconnect).
    /// With <paramref name="indexOnly"/> only the index is brought up to date. Returns false when the
    /// workspace is refused (over the file limit) or missing.
    /// </summary>
    private async Task<bool> RescanAsync(
        UplinkSession session,
        bool resendAll,
        bool indexOnly,
        CancellationToken cancellationToken
    )
    {
        if (!Directory.Exists(RootPath))
        {
            await ReportMissingAsync(session, cancellationToken).ConfigureAwait(false);
            return false;
        }
        if (!RootIsUnchanged())
        {
            await ReportRootChangedAsync(session, cancellationToken).ConfigureAwait(false);
            return false;
        }
        if (_state == WorkspaceState.Missing)
        {
            // The folder is back: watch it again.
            StartWatcher();
        }
        var scan = _scanner.ScanAll(cancellationToken);
        RecordUnreadableDirectories(scan);
        RecordInvalidNames(scan, complete: true);
        var eligible = 0;
        foreach (var file in scan.Files)
        {
            if (file.Size <= _options.MaxFileBytes)
            {
                eligible++;
            }
        }
        if (eligible > _options.MaxFiles)
        {
            await RefuseAsync(session, eligible, cancellationToken).ConfigureAwait(false);
            return false;
        }
        if (_state is WorkspaceState.Refused or WorkspaceState.Missing)
        {
            Log.WorkspaceResumed(_logger, RootPath, eligible);
            _state = WorkspaceState.Syncing;
        }
        var candidates = new HashSet<string>(PathComparer.Default);
        foreach (var file in scan.Files)
        {
            candidates.Add(file.RelativePath);
        }
        foreach (var path in _index.Paths)
        {
            if (!IsUnderUnreadableDirectory(path, scan))
            {
                candidates.Add(path);
            }
        }
        foreach (var path in _serverState.Keys)
        {
            if (!IsUnderUnreadableDirectory(path, scan))
            {
                candidates.Add(path);
            }
        }
        var context = new BatchContext(session, resendAll, indexOnly)
        {
            ReportProgress = _state == WorkspaceState.Syncing,
            Scanned = scan.Files.Count,
        };
        await SyncPathsAsync(BuildWorkItems(candidates, context), context, cancellationToken)
            .ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Counts and names the entries whose names are not valid UTF-8 (see <see cref="UndecodableNames"/>);
    /// a <paramref name="complete"/> scan of the whole workspace also forgets those gone.
    /// </summary>
    private void RecordInvalidNames(ScanResult scan, bool complete)
    {
        if (complete)
        {
            var current = new HashSet<string>(scan.InvalidNames, PathComparer.Default);
            foreach (
                var gone in _skipped
                    .Where(e => e.Value == FileReadStatus.InvalidName && !current.Contains(e.Key))
                    .Select(e => e.Key)
                    .ToList()
            )
            {
                _skipped.Remove(gone);
            }
        }
        foreach (var name in scan.InvalidNames)
        {
            if (_skipped.TryAdd(name, FileReadStatus.InvalidName))
            {
                Log.InvalidNameSkipped(_logger, RootPath, LogText.Clean(name));
            }
        }
    }

    private static bool IsUnderUnreadableDirectory(string path, ScanResult scan)
    {
        if (scan.UnreadableDirectories.Count == 0)
        {
            return false;
        }
        for (var parent = WorkspacePaths.Parent(path); ; parent = WorkspacePaths.Parent(parent))
        {
            if (scan.UnreadableDirectories.ContainsKey(parent))
            {
                return true;
            }
            if (parent.Length == 0)
            {
                return false;
            }
        }
    }

    private void RecordUnreadableDirectories(ScanResult scan)
    {
        foreach (var (directory, error) in scan.UnreadableDirectories)
        {
            var key = directory + "/";
            if (_errors.TryAdd(key, error))
            {
                Log.DirectoryUnreadable(_logger, RootPath, directory, error);
            }
        }
        // Directories readable again are forgotten; their files come back through the scan.
        foreach (var key in _errors.Keys.Where(k => k.EndsWith('/')).ToList())
        {
            if (
                !scan.UnreadableDirectories.ContainsKey(key[..^1])
                && Directory.Exists(WorkspacePaths.ToFullPath(RootPath, key[..^1]))
            )
            {
                var info = new DirectoryInfo(WorkspacePaths.ToFullPath(RootPath, key[..^1]));
                try
                {
                    _ = info.EnumerateFileSystemInfos().Any();
                    _errors.Remove(key);
                    // The OS watcher could not watch it while it was unreadable: watch the tree anew.
                    _rewatchRequested = true;
                }
                catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
                {
                    // Still unreadable.
                }
            }
        }
    }

    /// <summary>
    /// Manifest resume: bring the index up to date without sending, tell the server what we have, then
    /// send only what it says it needs. Falls back to a full re-send when the server does not answer.
    /// </summary>
    private async Task<bool> ManifestSyncAsync(
        UplinkSession session,
        CancellationToken cancellationToken
    )
    {
        if (
            !await RescanAsync(session, resendAll: false, indexOnly: true, cancellationToken)
                .ConfigureAwait(false)
        )
        {
            return false;
        }
        var diffSource = new TaskCompletionSource<ManifestDiffPayload>(
            TaskCreationOptions.RunContinuationsAsynchronously
        );
        Volatile.Write(ref _pendingManifestDiff, diffSource);
        try
        {
            var entries = _index
                .Entries.Select(e => new ManifestEntry(e.Key, e.Value.Hash, e.Value.Size))
                .ToList();
            var chunk = 0;
            for (
                var offset = 0;
                offset < entries.Count || chunk == 0;
                offset += ManifestChunkEntries, chunk++
            )
            {
                var part = entries.GetRange(
                    offset,
                    Math.Min(ManifestChunkEntries, entries.Count - offset)
                );
                var last = offset + ManifestChunkEntries >= entries.Count;
                await SendOrThrowAsync(
                        session,
                        _messages.Manifest(session, part, chunk, last),
                        cancellationToken
                    )
                    .ConfigureAwait(false);
            }
            Log.ManifestSent(_logger, Name, entries.Count, chunk);

            ManifestDiffPayload diff;
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                timeout.CancelAfter(s_manifestTimeout);
                var lost = WaitForSessionEndAsync(session, timeout.Token);
                var completed = await Task.WhenAny(
                        diffSource.Task,
                        lost,
                        Task.Delay(s_manifestTimeout, _time, timeout.Token)
                    )
                    .ConfigureAwait(false);
                timeout.Cancel();
                cancellationToken.ThrowIfCancellationRequested();
                if (completed == lost && _uplink.Session != session)
                {
                    throw new SessionLostException();
                }
                if (completed != diffSource.Task)
                {
                    Log.ManifestTimedOut(_logger, Name);
                    return await RescanAsync(
                            session,
                            resendAll: true,
                            indexOnly: false,
                            cancellationToken
                        )
                        .ConfigureAwait(false);
                }
                diff = await diffSource.Task.ConfigureAwait(false);
            }

            var need = new HashSet<string>(diff.Need ?? [], PathComparer.Default);
            var refused = new HashSet<string>(PathComparer.Default);
            foreach (var refusal in diff.Refused ?? [])
            {
                if (refusal?.RelativePath is { } path && _index.Contains(path) && refused.Add(path))
                {
                    // Not on the server, and not sent again until it changes: counted as an error, by name.
                    _rejections.Enqueue(
                        (
                            path,
                            LogText.Clean(refusal.Code ?? ""),
                            LogText.Clean(refusal.Message ?? "")
                        )
                    );
                }
            }
            _serverState.Clear();
            foreach (var (path, entry) in _index.Entries)
            {
                if (!refused.Contains(path))
                {
                    // A needed file may be missing on the server or held in another version: should it
                    // vanish before it is sent, the server's copy must still be deleted.
                    _serverState[path] = need.Contains(path) ? MaybeOnServer : entry.Hash;
                }
            }
            ApplyRejections();
            need.RemoveWhere(p => !_index.Contains(p));
            var context = new BatchContext(session, ResendAll: false, IndexOnly: false)
            {
                ReportProgress = true,
            };
            await SyncPathsAsync(BuildWorkItems(need, context), context, cancellationToken)
                .ConfigureAwait(false);
            return true;
        }
        finally
        {
            Volatile.Write(ref _pendingManifestDiff, null);
            _heldContent.Clear();
            _heldBytes = 0;
        }
    }

    private async Task WaitForSessionEndAsync(
        UplinkSession session,
        CancellationToken cancellationToken
    )
    {
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnChanged()
        {
            if (_uplink.Session != session)
            {
                ended.TrySetResult();
            }
        }
        _uplink.SessionChanged += OnChanged;
        try
        {
            OnChanged();
            await ended.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Timed out or stopped: the caller decides.
        }
        finally
        {
            _uplink.SessionChanged -= OnChanged;
        }
    }

    private async Task RefuseAsync(
        UplinkSession session,
        int count,
        CancellationToken cancellationToken
    )
    {
        var wasRefused = _state == WorkspaceState.Refused;
        _state = WorkspaceState.Refused;
        var message =
            $"Workspace {RootPath} has {count} files, more than the limit of {_options.MaxFiles}; it is not synced. "
            + "Exclude folders in a .aishignore file, or raise the limit with --max-files.";
        _lastError = message;
        if (!wasRefused)
        {
            Log.WorkspaceRefused(_logger, RootPath, count, _options.MaxFiles);
        }
        // Changes keep arriving as dirty paths: each batch with some counts again, and the workspace
        // resumes by itself once it is under the limit.
        if (_refusalReportedEpoch != session.Epoch)
        {
            await SendOrThrowAsync(
                    session,
                    _messages.SyncError(
                        session,
                        ErrorCodes.TooManyFiles,
                        message,
                        count,
                        _options.MaxFiles
                    ),
                    cancellationToken
                )
                .ConfigureAwait(false);
            _refusalReportedEpoch = session.Epoch;
        }
    }

    /// <summary>
    /// False when the root is no longer the folder it was (see <see cref="RootIdentity"/>): the workspace
    /// then stops for good, watcher and polling included. A root that is missing right now is not "changed".
    /// </summary>
    private bool RootIsUnchanged()
    {
        if (_state == WorkspaceState.RootChanged)
        {
            return false;
        }
        if (RootIdentity.Of(RootPath) is not { } now)
        {
            return true;
        }
        if (_rootIdentity is null)
        {
            _rootIdentity = now;
            return true;
        }
        if (_rootIdentity.ChangeTo(now) is not { } change)
        {
            return true;
        }
        _state = WorkspaceState.RootChanged;
        _lastError =
            $"Workspace {RootPath} is no longer the folder it was: {change}. Syncing it stopped; nothing outside it is read. Start it again to sync what it is now.";
        Log.RootChanged(_logger, RootPath, change);
        _watcher?.Dispose();
        _watcher = null;
        StopPolling();
        lock (_dirtyGate)
        {
            _dirty.Clear();
            _unsettled.Clear();
        }
        return false;
    }

    private async Task ReportRootChangedAsync(
        UplinkSession session,
        CancellationToken cancellationToken
    )
    {
        if (_refusalReportedEpoch != session.Epoch)
        {
            _refusalReportedEpoch = session.Epoch;
            await SendOrThrowAsync(
                    session,
                    _messages.SyncError(
                        session,
                        ErrorCodes.RootChanged,
                        _lastError ?? "workspace root changed"
                    ),
                    cancellationToken
                )
                .ConfigureAwait(false);
        }
    }

    private async Task ReportMissingAsync(
        UplinkSession session,
        CancellationToken cancellationToken
    )
    {
        var wasMissing = _state == WorkspaceState.Missing;
        _state = WorkspaceState.Missing;
        _lastError = $"Workspace {RootPath} does not exist";
        if (!wasMissing)
        {
            Log.WorkspaceMissing(_logger, RootPath);
            _watcher?.Dispose();
            _watcher = null;
            StartPolling();
        }
        if (_refusalReportedEpoch != session.Epoch)
        {
            await SendOrThrowAsync(
                    session,
                    _messages.SyncError(session, ErrorCodes.NotFound, _lastError),
                    cancellationToken
                )
                .ConfigureAwait(false);
            _refusalReportedEpoch = session.Epoch;
        }
    }

    private List<WorkItem> BuildWorkItems(IEnumerable<string> paths, BatchContext context)
    {
        var items = new List<WorkItem>();
        foreach (var path in paths)
        {
            FileEntry? indexed = _index.TryGet(path, out var entry) ? entry : null;
            var serverHash = context.ResendAll ? null : _serverState.GetValueOrDefault(path);
            items.Add(new WorkItem(path, indexed, serverHash));
        }
        context.Total = items.Count;
        return items;
    }

    /// <summary>
    /// The batch pipeline: reads and hashes on the pool (bounded parallelism), applies results to the
    /// index and sends messages on this loop, in completion order.
    /// </summary>
    private async Task SyncPathsAsync(
        List<WorkItem> items,
        BatchContext context,
        CancellationToken cancellationToken
    )
    {
        if (items.Count == 0)
        {
            return;
        }
        if (items.Count == 1)
        {
            await ApplyAsync(Read(items[0], context), context, cancellationToken)
                .ConfigureAwait(false);
            return;
        }
        var results = Channel.CreateBounded<FileReadResult>(
            new BoundedChannelOptions(_options.HashParallelism * 8)
            {
                SingleReader = true,
                SingleWriter = false,
            }
        );
        using var producerStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = ProduceAsync();
        try
        {
            await foreach (
                var result in results.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false)
            )
            {
                await ApplyAsync(result, context, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            await producerStop.CancelAsync().ConfigureAwait(false);
            await producer.ConfigureAwait(false);
        }

        async Task ProduceAsync()
        {
            try
            {
                var parallel = new ParallelOptions
                {
                    MaxDegreeOfParallelism = _options.HashParallelism,
                    CancellationToken = producerStop.Token,
                };
                await Parallel
                    .ForEachAsync(
                        items,
                        parallel,
                        async (item, token) =>
                            await results
                                .Writer.WriteAsync(Read(item, context), token)
                                .ConfigureAwait(false)
                    )
                    .ConfigureAwait(false);
                results.Writer.TryComplete();
            }
            catch (OperationCanceledException)
            {
                results.Writer.TryComplete();
            }
            catch (Exception ex)
            {
                results.Writer.TryComplete(ex);
            }
        }
    }

    private FileReadResult Read(WorkItem item, BatchContext context)
    {
        if (_filter.IsIgnored(item.Path, isDirectory: false))
        {
            return new FileReadResult(item.Path, FileReadStatus.Ignored);
        }
        // Skip the read only when the file's stamp proves it unchanged (FileEntry.IsConclusiveMatch) and
        // the server already has that content; never for a path a change notification named.
        var skipIfMatches =
            !context.ContentCheck
            && item.Indexed is { } indexed
            && (context.IndexOnly || indexed.Hash == item.ServerHash)
                ? item.Indexed
                : null;
        if (
            !context.IndexOnly
            && _heldContent.TryGetValue(item.Path, out var held)
            && item.Indexed is { } entry
        )
        {
            // Read during the manifest pass and unchanged since (same size and mtime): no second read.
            var check = _reader.Read(item.Path, entry, keepContent: false, sameStampSuffices: true);
            return check.Status == FileReadStatus.Unchanged && check.Hash == held.Hash
                ? check with
                {
                    Status = FileReadStatus.Ok,
                    Content = held.Content,
                }
                : Reread();
        }
        return Reread();

        // In the manifest pass, content is kept (within a budget) so files the server turns out to need are not read twice.
        FileReadResult Reread() =>
            _reader.Read(
                item.Path,
                skipIfMatches,
                keepContent: !context.IndexOnly || _heldBytes < HeldContentBudget
            );
    }

    private async Task ApplyAsync(
        FileReadResult result,
        BatchContext context,
        CancellationToken cancellationToken
    )
    {
        var path = result.RelativePath;
        if (_logger.IsEnabled(LogLevel.Trace))
        {
            Log.FileDecision(
                _logger,
                path,
                result.Status.ToString(),
                _index.Contains(path),
                _serverState.ContainsKey(path),
                context.IndexOnly,
                context.ResendAll
            );
        }
        if (
            result.Status == FileReadStatus.Ok
            && !context.IndexOnly
            && context.Session.Capabilities is null
            && result.Content is { } text
            && !Utf8.IsValid(text)
        )
        {
            // A server without capabilities stores content as text and knows no 'encoding': base64 would be
            // stored as the file's text. Skipped and counted instead, never sent mangled.
            result = result with
            {
                Status = FileReadStatus.NotUtf8,
                Content = null,
            };
        }
        switch (result.Status)
        {
            case FileReadStatus.Unchanged:
                // Same size and mtime as indexed, and the server has that content (see Read).
                _skipped.Remove(path);
                _errors.Remove(path);
                break;

            case FileReadStatus.Ok:
                _skipped.Remove(path);
                _errors.Remove(path);
                if (!_index.Contains(path) && _index.Count >= _options.MaxFiles)
                {
                    // Growing past the limit: the next rescan decides (and refuses the workspace).
                    RequestRescan();
                    break;
                }
                _index.Set(path, result.ToEntry());
                _indexChanged = true;
                if (
                    context.IndexOnly
                    && result.Content is not null
                    && _heldBytes + result.Content.Length <= HeldContentBudget
                )
                {
                    _heldContent[path] = (result.Hash!, result.Content);
                    _heldBytes += result.Content.Length;
                }
                if (!context.IndexOnly && result.Content is not null)
                {
                    var known = _serverState.TryGetValue(path, out var serverHash);
                    if (context.ResendAll || !known || serverHash != result.Hash)
                    {
                        var created = context.ResendAll || !known || serverHash == MaybeOnServer;
                        if (
                            _messages.FileSync(
                                context.Session,
                                path,
                                created,
                                result.Content,
                                result.Hash!
                            )
                            is not { } frame
                        )
                        {
                            // Its message would not fit into one frame (a large --max-file-bytes): skipped as too large.
                            _indexChanged |= _index.Remove(path);
                            if (_skipped.TryAdd(path, FileReadStatus.TooLarge))
                            {
                                Log.FileSkipped(
                                    _logger,
                                    path,
                                    "too large for one message",
                                    result.Size
                                );
                            }
                            if (known)
                            {
                                await SendOrThrowAsync(
                                        context.Session,
                                        _messages.FileDelete(context.Session, path),
                                        cancellationToken
                                    )
                                    .ConfigureAwait(false);
                                _serverState.Remove(path);
                            }
                            break;
                        }
                        await SendOrThrowAsync(context.Session, frame, cancellationToken)
                            .ConfigureAwait(false);
                        _serverState[path] = result.Hash!;
                        _rejected.OnSent(path);
                        context.Sent++;
                    }
                }
                context.Hashed++;
                MemoryTrimmer.Read(result.Size);
                break;

            case FileReadStatus.Unstable:
                Log.FileUnstable(_logger, path);
                MarkDirty(path);
                break;

            case FileReadStatus.Unreadable:
                if (_errors.TryAdd(path, result.Error ?? "unreadable"))
                {
                    Log.FileUnreadable(_logger, RootPath, path, result.Error ?? "unreadable");
                }
                break;

            default:
                // Missing, ignored, not a regular file, too large or binary: not (or no longer) synced.
                _errors.Remove(path);
                if (
                    result.Status
                    is FileReadStatus.TooLarge
                        or FileReadStatus.Binary
                        or FileReadStatus.NotUtf8
                )
                {
                    if (_skipped.TryAdd(path, result.Status))
                    {
                        if (!context.IndexOnly && _serverState.ContainsKey(path))
                        {
                            Log.FileNoLongerSynced(
                                _logger,
                                RootPath,
                                path,
                                SkipReasons.Of(result.Status),
                                result.Size
                            );
                        }
                        else
                        {
                            Log.FileSkipped(
                                _logger,
                                path,
                                SkipReasons.Of(result.Status),
                                result.Size
                            );
                        }
                    }
                }
                else
                {
                    _skipped.Remove(path);
                }
                _indexChanged |= _index.Remove(path);
                if (!context.IndexOnly && _serverState.ContainsKey(path))
                {
                    await SendOrThrowAsync(
                            context.Session,
                            _messages.FileDelete(context.Session, path),
                            cancellationToken
                        )
                        .ConfigureAwait(false);
                    _serverState.Remove(path);
                    _rejected.OnSent(path);
                }
                else if (!_serverState.ContainsKey(path))
                {
                    _rejected.Forget(path);
                }
                break;
        }
        context.Done++;
        if (context.ReportProgress && _progress is not null && (context.Done & 63) == 0)
        {
            _progress.Report(
                new SyncProgressSnapshot(
                    Name,
                    Math.Max(context.Scanned, context.Total),
                    context.Hashed,
                    context.Sent,
                    Completed: false
                )
            );
        }
    }

    private async Task SendOrThrowAsync(
        UplinkSession session,
        byte[] frame,
        CancellationToken cancellationToken
    )
    {
        if (!await _uplink.SendAsync(session, frame, cancellationToken).ConfigureAwait(false))
        {
            throw new SessionLostException();
        }
        _messagesSent++;
    }

    private SyncStats CurrentStats() =>
        new()
        {
            FilesSynced = _index.Count,
            FilesSkipped = _skipped.Count,
            SyncErrors = _errors.Count + _rejected.Count,
            BytesSynced = _index.TotalBytes,
        };

    private void PublishStatus()
    {
        Volatile.Write(ref _statusFiles, _index.Count);
        Interlocked.Exchange(ref _statusBytes, _index.TotalBytes);
        Volatile.Write(ref _statusSkipped, _skipped.Count);
        Volatile.Write(ref _statusErrors, _errors.Count + _rejected.Count);
        Volatile.Write(
            ref _statusErrorFiles,
            [
                .. _errors
                    .Concat(_rejected.Failures)
                    .Take(WorkspaceStatus.MaxListedFiles)
                    .Select(e => new FileProblem(e.Key, e.Value)),
            ]
        );
        Volatile.Write(
            ref _statusSkippedFiles,
            [
                .. _skipped
                    .Take(WorkspaceStatus.MaxListedFiles)
                    .Select(e => new FileProblem(e.Key, SkipReasons.Of(e.Value))),
            ]
        );
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _uplink.SessionChanged -= Wake;
        await _stopping.CancelAsync().ConfigureAwait(false);
        _watcher?.Dispose();
        if (_rescanTimer is not null)
        {
            await _rescanTimer.DisposeAsync().ConfigureAwait(false);
        }
        StopPolling();
        _confirmTimer?.Dispose();
        if (_loop is not null)
        {
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopped.
            }
        }
        _state = WorkspaceState.Stopped;
        SaveIndexIfDue(force: true);
        _initialSync.TrySetCanceled();
        _stopping.Dispose();
    }

    /// <summary>One path to re-check, with what the index and the server had for it when the batch started.</summary>
    private readonly record struct WorkItem(string Path, FileEntry? Indexed, string? ServerHash);

    /// <summary>Per-batch settings and counters.</summary>
    private sealed record BatchContext(UplinkSession Session, bool ResendAll, bool IndexOnly)
    {
        public bool ReportProgress { get; init; }

        /// <summary>Every path is read and hashed, whatever the index says (the paths of change notifications).</summary>
        public bool ContentCheck { get; init; }
        public int Scanned { get; init; }
        public int Total { get; set; }
        public int Done { get; set; }
        public int Hashed { get; set; }
        public int Sent { get; set; }
    }

    private sealed class SessionLostException : Exception;
}
