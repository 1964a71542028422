using System.Collections.Concurrent;
using System.Text.Unicode;
using System.Threading.Channels;
using FileSync.Edge.Filtering;
using FileSync.Edge.Uplink;
using FileSync.Edge.Watching;
using FileSync.Protocol;
using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Workspace;

/// <summary>
/// Keeps one workspace mirrored on the server. State-based: watcher events only mark paths dirty;
/// every batch decides from each dirty path's current state what to send. The index holds what is on
/// disk, <c>_serverState</c> what the server was sent on the current session; a batch sends the
/// difference. A new session (connect, reconnect) starts with a full sync: manifest exchange when the
/// server has the capability, a full re-send otherwise.
/// </summary>
public sealed partial class WorkspaceSyncManager : IWorkspace, IAsyncDisposable
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
    private ManifestTreeExchange? _treeExchange;
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
        RootPath = WorkspaceRoot.Normalize(rootPath);
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

    /// <param name="deflate">False for a file frame whose content the agent compressed itself.</param>
    private async Task SendOrThrowAsync(
        UplinkSession session,
        byte[] frame,
        CancellationToken cancellationToken,
        bool deflate = true
    )
    {
        if (
            !await _uplink
                .SendAsync(session, frame, deflate, cancellationToken)
                .ConfigureAwait(false)
        )
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
