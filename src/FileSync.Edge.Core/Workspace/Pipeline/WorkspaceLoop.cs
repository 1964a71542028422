using FileSync.Edge.Filtering;
using FileSync.Edge.Uplink;
using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Workspace.Pipeline;

/// <summary>
/// The workspace's loop: waits for a session and for work (see <see cref="BatchClock"/>), then runs one
/// batch, chosen from the workspace's state — a full sync for a new session or a resync, a rescan, a
/// report of a root that changed, or the changed paths through the pipeline.
/// </summary>
internal sealed class WorkspaceLoop(
    WorkspaceStages stages,
    FullSync fullSync,
    IUplink uplink,
    ILogger logger
)
{
    private readonly WorkspaceLifecycle _lifecycle = stages.Lifecycle;
    private readonly DirtySet _dirty = stages.Dirty;
    private readonly BatchClock _clock = stages.Clock;
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
        _dirty.RescanRequested || _resyncRequested || stages.Retrier.HasWork || _dirty.HasChanges;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var session = await WaitForWorkAsync(cancellationToken).ConfigureAwait(false);
                var sentBefore = stages.Counters.MessagesSent;
                try
                {
                    await RunBatchAsync(session, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    if (stages.Counters.MessagesSent != sentBefore)
                    {
                        // The clock first: whoever sees the batch counted sees the busy period started.
                        _clock.OnBatchSent();
                        stages.Counters.OnBatchSent();
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
                WorkspaceLog.BatchFailed(logger, stages.RootPath, ex);
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
        if (stages.Watchers.TakeRewatchRequest())
        {
            if (_lifecycle.RootIsUnchanged())
            {
                stages.Watchers.Start();
            }
            _dirty.RequestRescan(); // anything that changed while unwatched
        }
        stages.Retrier.ArmConfirmationTimer();
        stages.Counters.Publish(stages.Index, stages.Retrier.Tracker);
        stages.Saver.SaveIfDue(force: _lifecycle.State != WorkspaceState.Watching);
        if (!HasPendingWork)
        {
            MemoryTrimmer.TrimIfWorthIt();
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
            if (stages.Gate.IsRequested)
            {
                await stages
                    .Gate.HoldAsync(uplink.Session, cancellationToken)
                    .ConfigureAwait(false);
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

    private async Task RunBatchAsync(UplinkSession session, CancellationToken cancellationToken)
    {
        stages.Retrier.Apply();
        if (session.Epoch != Interlocked.Read(ref _syncedEpoch) || _resyncRequested)
        {
            _resyncRequested = false;
            await FullSyncAsync(session, cancellationToken).ConfigureAwait(false);
            return;
        }
        var (dirty, overflowed) = _dirty.Take();
        if (overflowed)
        {
            WorkspaceLog.DirtySetOverflowed(logger, stages.RootPath, stages.Options.MaxDirtyPaths);
            _dirty.RequestRescan();
        }
        if (!_dirty.RescanRequested && !Directory.Exists(stages.RootPath))
        {
            // The workspace folder itself went away (its own deletion is not always reported).
            _dirty.RequestRescan();
        }
        if (!_dirty.RescanRequested && dirty.Any(stages.Filter.ChangesRules))
        {
            WorkspaceLog.IgnoreRulesChanged(logger, stages.RootPath);
            _dirty.RequestRescan();
        }
        // The rest is never synced: .git or .git/info, reported only for the ignore rules above.
        dirty.RemoveWhere(GitDirectory.Contains);
        if (_dirty.TakeRescanRequest())
        {
            await RescanAsync(session, cancellationToken).ConfigureAwait(false);
            return;
        }
        var state = _lifecycle.State;
        if (
            state == WorkspaceState.RootChanged
            || (dirty.Count > 0 && !_lifecycle.RootIsUnchanged())
        )
        {
            await _lifecycle
                .ReportRootChangedAsync(session, cancellationToken)
                .ConfigureAwait(false);
            return;
        }
        if (state == WorkspaceState.Refused && dirty.Count > 0)
        {
            // Over the file limit: count again (a scan, no reads); under it, the full sync resumes the workspace.
            await FullSyncAsync(session, cancellationToken).ConfigureAwait(false);
            return;
        }
        if (state != WorkspaceState.Watching || dirty.Count == 0)
        {
            return;
        }
        // A change notification is never answered from the index: size and mtime can stay the same
        // across a real change (same-size edit within one timestamp tick, a restored mtime).
        var batch = new SyncBatch(session, ResendAll: false, IndexOnly: false)
        {
            ContentCheck = true,
        };
        var items = stages.Planner.PlanChanges(dirty, batch, cancellationToken);
        await stages.Pipeline.RunAsync(items, batch, cancellationToken).ConfigureAwait(false);
    }

    private async Task RescanAsync(UplinkSession session, CancellationToken cancellationToken)
    {
        if (_lifecycle.State is not WorkspaceState.Watching)
        {
            // Refused or missing until now: a full sync resumes it (and ends with file_done).
            await FullSyncAsync(session, cancellationToken).ConfigureAwait(false);
            return;
        }
        stages.Filter.Invalidate();
        stages.Watchers.Refresh(); // directories no longer ignored need watches before the scan looks at them
        await fullSync
            .RescanAsync(session, resendAll: false, indexOnly: false, cancellationToken)
            .ConfigureAwait(false);
    }

    private async Task FullSyncAsync(UplinkSession session, CancellationToken cancellationToken)
    {
        await fullSync.RunAsync(session, cancellationToken).ConfigureAwait(false);
        Interlocked.Exchange(ref _syncedEpoch, session.Epoch);
        InitialSync.TrySetResult();
    }
}
