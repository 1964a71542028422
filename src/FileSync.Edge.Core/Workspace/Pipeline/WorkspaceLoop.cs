using FileSync.Edge.Filtering;
using FileSync.Edge.Uplink;
using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Workspace.Pipeline;

/// <summary>
/// The workspace's loop: waits for a session and for work (see <see cref="BatchClock"/>), then runs one
/// batch, chosen from the workspace's state — a full sync for a new session or a resync, a rescan, a
/// report of a root that changed, or the changed paths through the pipeline.
/// </summary>
internal sealed partial class WorkspaceLoop(
    string rootPath,
    int maxDirtyPaths,
    IUplink uplink,
    WorkspaceIndex index,
    WorkspaceCounters counters,
    WorkspaceLifecycle lifecycle,
    WorkspaceIgnoreFilter filter,
    WatcherSupervisor watchers,
    DirtySet dirty,
    BatchClock clock,
    ChangePlanner planner,
    SyncPipeline pipeline,
    FullSync fullSync,
    PauseGate gate,
    RejectionRetrier rejections,
    IndexSaver saver,
    MemoryTrimmer memoryTrimmer,
    ILogger logger
)
{
    private readonly WorkspaceLifecycle _lifecycle = lifecycle;
    private readonly DirtySet _dirty = dirty;
    private readonly BatchClock _clock = clock;
    private long _syncedEpoch = -1;
    private volatile bool _resyncRequested;

    /// <summary>Completes when the first full sync has been sent (or the workspace was refused).</summary>
    public TaskCompletionSource InitialSync { get; } =
        new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes (faulted) when the loop dies of something it cannot survive (out of memory).</summary>
    public TaskCompletionSource Failure { get; } =
        new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The next batch re-sends the whole workspace (or re-runs the manifest exchange).</summary>
    public void RequestResync() => _resyncRequested = true;

    private bool HasPendingWork =>
        _dirty.RescanRequested || _resyncRequested || rejections.HasWork || _dirty.HasChanges;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var session = await WaitForWorkAsync(cancellationToken).ConfigureAwait(false);
                var sentBefore = counters.MessagesSent;
                try
                {
                    await RunBatchAsync(session, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    if (counters.MessagesSent != sentBefore)
                    {
                        // The clock first: whoever sees the batch counted sees the busy period started.
                        _clock.OnBatchSent();
                        counters.OnBatchSent();
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
                _lifecycle.LastError = ex.Message;
                Failure.TrySetException(ex);
                break;
            }
            catch (Exception ex)
            {
                _lifecycle.LastError = ex.Message;
                Log.BatchFailed(logger, rootPath, ex);
                _dirty.RequestRescan();
                try
                {
                    await _clock.BackOffAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
            finally
            {
                AfterBatch();
            }
        }
        _lifecycle.MoveTo(WorkspaceState.Stopped);
    }

    private void AfterBatch()
    {
        if (watchers.TakeRewatchRequest())
        {
            if (!_lifecycle.DetectRootChange())
            {
                watchers.Start();
            }
            _dirty.RequestRescan(); // anything that changed while unwatched
        }
        rejections.ArmConfirmationTimer();
        counters.Publish(index, rejections);
        saver.SaveIfDue(force: _lifecycle.State != WorkspaceState.Watching);
        if (!HasPendingWork)
        {
            memoryTrimmer.TrimIfWorthIt();
        }
    }

    /// <summary>
    /// Waits until there is a session (not paused) and something to do; a new session is served at once.
    /// While paused it holds at the gate: nothing is sent, not even a new session's full sync.
    /// </summary>
    private async Task<UplinkSession> WaitForWorkAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (gate.IsRequested)
            {
                await gate.HoldAsync(uplink.Session, cancellationToken).ConfigureAwait(false);
                continue;
            }
            var session = uplink.Session;
            if (session is not null)
            {
                if (session.Epoch != Interlocked.Read(ref _syncedEpoch))
                {
                    return session;
                }
                if (HasPendingWork)
                {
                    await _clock
                        .WaitUntilDueAsync(() => _dirty.HasUnsettled, cancellationToken)
                        .ConfigureAwait(false);
                    return uplink.Session ?? session;
                }
            }
            await _clock.WaitForWakeAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>What one batch does (see <see cref="TakeBatchPlan"/>).</summary>
    private enum BatchPlan
    {
        /// <summary>Nothing to send (not watching, or no changed path).</summary>
        Nothing,

        /// <summary>The whole workspace converges, then <c>file_done</c>: a new session, a resync, a workspace refused or missing until now.</summary>
        FullSync,

        /// <summary>The whole workspace is scanned; only real differences are sent.</summary>
        Rescan,

        /// <summary>The root is no longer the folder it was: said to the server (once per session), nothing synced.</summary>
        ReportRootChanged,

        /// <summary>The changed paths go through the pipeline.</summary>
        SendChanges,
    }

    private async Task RunBatchAsync(UplinkSession session, CancellationToken cancellationToken)
    {
        rejections.Apply();
        var (plan, dirty) = TakeBatchPlan(session);
        switch (plan)
        {
            case BatchPlan.FullSync:
                await FullSyncAsync(session, cancellationToken).ConfigureAwait(false);
                break;

            case BatchPlan.Rescan:
                filter.Invalidate();
                watchers.Refresh(); // directories no longer ignored need watches before the scan looks at them
                await fullSync
                    .RescanAsync(session, SyncBatchKind.Rescan, cancellationToken)
                    .ConfigureAwait(false);
                break;

            case BatchPlan.ReportRootChanged:
                await _lifecycle
                    .ReportRootChangedAsync(session, cancellationToken)
                    .ConfigureAwait(false);
                break;

            case BatchPlan.SendChanges:
                var batch = new SyncBatch(session, SyncBatchKind.Changes);
                var items = planner.PlanChanges(dirty, batch, cancellationToken);
                await pipeline.RunAsync(items, batch, cancellationToken).ConfigureAwait(false);
                break;

            case BatchPlan.Nothing:
                break;
        }
    }

    /// <summary>
    /// Takes what is pending for this batch — the resync request, the changed paths, the rescan request —
    /// and turns it into one plan; an action, not a query: what it took is gone from the dirty set, and it
    /// may detect that the root changed.
    /// </summary>
    private (BatchPlan Plan, HashSet<string> Dirty) TakeBatchPlan(UplinkSession session)
    {
        if (session.Epoch != Interlocked.Read(ref _syncedEpoch) || _resyncRequested)
        {
            _resyncRequested = false;
            return (BatchPlan.FullSync, []);
        }
        var (dirty, overflowed) = _dirty.Take();
        if (overflowed)
        {
            Log.DirtySetOverflowed(logger, rootPath, maxDirtyPaths);
            _dirty.RequestRescan();
        }
        if (!_dirty.RescanRequested && !Directory.Exists(rootPath))
        {
            // The workspace folder itself went away (its own deletion is not always reported).
            _dirty.RequestRescan();
        }
        if (!_dirty.RescanRequested && dirty.Any(filter.ChangesRules))
        {
            Log.IgnoreRulesChanged(logger, rootPath);
            _dirty.RequestRescan();
        }
        // The rest is never synced: .git or .git/info, reported only for the ignore rules above.
        dirty.RemoveWhere(GitDirectory.Contains);
        if (_dirty.TakeRescanRequest())
        {
            // Refused or missing until now: a full sync resumes it (and ends with file_done).
            return (
                _lifecycle.State is WorkspaceState.Watching ? BatchPlan.Rescan : BatchPlan.FullSync,
                dirty
            );
        }
        var state = _lifecycle.State;
        if (
            state == WorkspaceState.RootChanged
            || (dirty.Count > 0 && _lifecycle.DetectRootChange())
        )
        {
            return (BatchPlan.ReportRootChanged, dirty);
        }
        if (state == WorkspaceState.Refused && dirty.Count > 0)
        {
            // Over the file limit: count again (a scan, no reads); under it, the full sync resumes the workspace.
            return (BatchPlan.FullSync, dirty);
        }
        // A change notification is never answered from the index: size and mtime can stay the same
        // across a real change (same-size edit within one timestamp tick, a restored mtime).
        return state == WorkspaceState.Watching && dirty.Count > 0
            ? (BatchPlan.SendChanges, dirty)
            : (BatchPlan.Nothing, dirty);
    }

    private async Task FullSyncAsync(UplinkSession session, CancellationToken cancellationToken)
    {
        await fullSync.RunAsync(session, cancellationToken).ConfigureAwait(false);
        Interlocked.Exchange(ref _syncedEpoch, session.Epoch);
        InitialSync.TrySetResult();
    }
}
