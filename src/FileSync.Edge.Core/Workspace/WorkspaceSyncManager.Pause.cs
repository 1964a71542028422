namespace FileSync.Edge.Workspace;

/// <summary>
/// Pausing a workspace (the local <c>pause</c> / <c>resume</c> commands): while paused nothing is sent
/// for it, not even a full sync on a new connection, but the watcher keeps marking changes dirty (and a
/// dirty set that overflows turns into a rescan), so resuming sends everything that changed meanwhile.
/// </summary>
public sealed partial class WorkspaceSyncManager
{
    private volatile bool _paused;
    private long _lastSyncTicks;

    /// <summary>True while sending is paused.</summary>
    public bool IsPaused => _paused;

    /// <summary>Stops sending for this workspace; changes keep being tracked. A batch already running finishes.</summary>
    public void Pause()
    {
        if (!_paused)
        {
            _paused = true;
            Log.Paused(_logger, RootPath);
        }
    }

    /// <summary>Sends what changed while paused (the next batch), then keeps syncing as before.</summary>
    public void Resume()
    {
        if (_paused)
        {
            _paused = false;
            Log.Resumed(_logger, RootPath);
            Wake();
        }
    }

    /// <summary>Changed paths waiting to be sent (grows while paused or disconnected).</summary>
    public int PendingChanges
    {
        get
        {
            lock (_dirtyGate)
            {
                return _dirty.Count;
            }
        }
    }

    /// <summary>When a batch last sent something to the server (null: nothing sent yet in this run).</summary>
    public DateTimeOffset? LastSyncAt =>
        Interlocked.Read(ref _lastSyncTicks) is var ticks and > 0
            ? new DateTimeOffset(ticks, TimeSpan.Zero)
            : null;

    private void RecordSync() =>
        Interlocked.Exchange(ref _lastSyncTicks, _time.GetUtcNow().UtcTicks);
}
