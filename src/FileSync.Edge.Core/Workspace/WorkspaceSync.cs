using FileSync.Edge.Filtering;
using FileSync.Edge.Uplink;
using FileSync.Edge.Watching;
using FileSync.Edge.Workspace.Pipeline;
using FileSync.Protocol;
using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Workspace;

/// <summary>
/// Keeps one workspace mirrored on the server: the loop that runs its pipeline (built in
/// <c>WorkspaceSync.Wiring.cs</c>) and chooses what each batch does from the workspace's state. Watcher
/// events only mark paths dirty; every batch decides from each dirty path's current state what to send.
/// A new session (connect, reconnect) starts with a full sync.
/// </summary>
public sealed partial class WorkspaceSync : IWorkspace, IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private ITimer? _rescanTimer;
    private Task? _loop;
    private int _disposed;

    /// <summary>Absolute, normalised path of the workspace root.</summary>
    public string RootPath { get; }

    /// <summary>The folder name of the workspace (the server mirrors it under this name).</summary>
    public string Name { get; }

    public WorkspaceState State => _lifecycle.State;

    /// <summary>The last error worth showing a user, or null.</summary>
    public string? LastError => _lifecycle.LastError;

    /// <summary>How many files have had their content read (and hashed) so far.</summary>
    public long FilesRead => _reader.FilesRead;

    /// <summary>How many batches (incremental, rescan or full sync) sent at least one message.</summary>
    public int BatchesWithSends => _state.Counters.BatchesWithSends;

    /// <summary>When a batch last sent something to the server (null: nothing sent yet in this run).</summary>
    public DateTimeOffset? LastSyncAt => _state.Counters.LastSyncAt;

    /// <summary>Changed paths waiting to be sent (grows while paused or disconnected).</summary>
    public int PendingChanges => _dirty.Count;

    /// <summary>Completes when the first full sync has been sent (or the workspace was refused).</summary>
    public Task InitialSyncCompleted => _loopRunner.InitialSync.Task;

    /// <summary>
    /// Completes (faulted) only if the workspace's loop dies of something it cannot survive, such as
    /// running out of memory; the host ends the agent then rather than leave the workspace unsynced.
    /// </summary>
    public Task Failure => _loopRunner.Failure.Task;

    /// <summary>Starts watching and syncing. Returns once the watcher is armed.</summary>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_saver.Load())
        {
            // What we had sent before the restart is what the server is assumed to hold; every full sync
            // (manifest or re-send) corrects that assumption.
            foreach (var (path, entry) in _state.Index.Entries)
            {
                _state.Server.Record(path, entry.Hash);
            }
        }
        _lifecycle.RecordRoot();
        _uplink.SessionChanged += _clock.Wake;
        Watch();
        var rescanEvery = _options.RescanInterval;
        if (_options.RescanMinutes > 0)
        {
            _rescanTimer = _time.CreateTimer(_ => RequestRescan(), null, rescanEvery, rescanEvery);
        }
        // On the pool, not inline: the caller (a server command on the uplink's receive loop, a local
        // `add`) must not carry the first sync, and it registers the workspace before anything is sent.
        _loop = Task.Run(() => _loopRunner.RunAsync(_stopping.Token), CancellationToken.None);
        _clock.Wake();
        return Task.CompletedTask;
    }

    /// <summary>Rescans the whole workspace in the next batch and sends only real differences.</summary>
    public void RequestRescan()
    {
        _dirty.RequestRescan();
        _clock.Wake();
    }

    /// <summary>Re-sends the whole workspace (or re-runs the manifest exchange) in the next batch.</summary>
    public void RequestResync()
    {
        _loopRunner.RequestResync();
        _clock.Wake();
    }

    /// <summary>Marks a path changed, as a watcher event would (tests).</summary>
    internal void MarkDirty(string relativePath) => MarkDirty(relativePath, completed: false);

    private void MarkDirty(string relativePath, bool completed)
    {
        if (_lifecycle.State != WorkspaceState.RootChanged)
        {
            _dirty.Mark(relativePath, completed);
            _clock.Wake();
        }
    }

    /// <summary>True while a pause is requested (see <see cref="PauseState"/> for whether sending has stopped yet).</summary>
    public bool IsPaused => _gate.IsRequested;

    /// <inheritdoc />
    public PauseState PauseState => _gate.State;

    /// <summary>
    /// Stops sending for this workspace at the next file boundary, also inside a full sync, and holds
    /// even a new connection's full sync; changes keep being tracked (an overflow turns into a rescan).
    /// </summary>
    public void Pause()
    {
        if (_gate.Pause())
        {
            Log.Paused(_logger, RootPath);
            _clock.Wake();
        }
    }

    /// <inheritdoc />
    public Task WhenPausedAsync(CancellationToken cancellationToken = default) =>
        _gate.WhenStopped.WaitAsync(cancellationToken);

    /// <summary>Goes on where the pause stopped (the same batch, the same file), then sends what changed meanwhile.</summary>
    public void Resume()
    {
        if (_gate.Resume())
        {
            Log.Resumed(_logger, RootPath);
            _clock.Wake();
        }
    }

    /// <inheritdoc />
    public void OnDoneAcknowledged() => _delivery.OnAcknowledged();

    /// <summary>Delivers the server's answer to our manifest.</summary>
    public void OnManifestDiff(ManifestDiffPayload diff) => _manifest.OnDiff(diff);

    /// <summary>A <c>workspace:tree_request</c>: answered while a digest-first resume runs, else ignored (false).</summary>
    public bool OnTreeRequest(TreeRequestPayload request) => _manifest.OnTreeRequest(request);

    /// <summary>The server could not apply our last send of <paramref name="relativePath"/>: retried, counted by name.</summary>
    public void OnServerRejected(string relativePath, string code, string message)
    {
        _rejections.Enqueue(relativePath, code, message);
        _clock.Wake();
    }

    /// <summary>A point-in-time view for <c>edge:status</c>.</summary>
    public WorkspaceStatus GetStatus()
    {
        var counts = _state.Counters.Published;
        return new()
        {
            Path = RootPath,
            State =
                PauseState == PauseState.Paused ? "paused" : State.ToString().ToLowerInvariant(),
            Files = counts.Files,
            Bytes = counts.Bytes,
            Skipped = counts.Skipped,
            FilesRead = FilesRead,
            Errors = counts.Errors,
            LastError = LastError,
            ErrorFiles = counts.ErrorFiles,
            SkippedFiles = counts.SkippedFiles,
            InFlightFiles = _delivery.InFlightFiles,
            InFlightBytes = _delivery.InFlightBytes,
            Withheld = counts.Withheld,
            WithheldFiles = counts.WithheldFiles,
            Progress = _fullSyncProgress.Snapshot(),
        };
    }

    /// <inheritdoc cref="WorkspaceQueries.IsExcluded"/>
    public bool IsExcluded(string relativePath) => _queries.IsExcluded(relativePath);

    /// <inheritdoc cref="WorkspaceQueries.ReadForServer"/>
    public FileReadResult ReadForServer(string relativePath) =>
        _queries.ReadForServer(relativePath);

    /// <inheritdoc cref="WorkspaceQueries.ListFiles"/>
    public IReadOnlyList<string> ListFiles(CancellationToken cancellationToken = default) =>
        _queries.ListFiles(cancellationToken);

    /// <inheritdoc cref="WorkspaceQueries.Describe"/>
    public (
        IReadOnlyList<string> Synced,
        IReadOnlyList<string> FilteredFiles,
        IReadOnlyList<string> FilteredDirectories
    ) Describe(CancellationToken cancellationToken = default) =>
        _queries.Describe(cancellationToken);

    /// <inheritdoc cref="WorkspaceQueries.ListDirectory"/>
    public string ListDirectory(string relativeDirectory) =>
        _queries.ListDirectory(relativeDirectory);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _uplink.SessionChanged -= _clock.Wake;
        await _stopping.CancelAsync().ConfigureAwait(false);
        _watchers.Dispose();
        if (_rescanTimer is not null)
        {
            await _rescanTimer.DisposeAsync().ConfigureAwait(false);
        }
        _rejections.Dispose();
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
        _lifecycle.MoveTo(WorkspaceState.Stopped);
        _saver.SaveIfDue(force: true);
        _loopRunner.InitialSync.TrySetCanceled();
        _stopping.Dispose();
    }

    /// <summary>Watches the root, unless it stopped being the folder it was.</summary>
    private void Watch()
    {
        if (!_lifecycle.DetectRootChange())
        {
            _watchers.Start();
        }
    }
}
