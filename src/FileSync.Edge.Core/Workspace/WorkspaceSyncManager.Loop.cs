using FileSync.Edge.Filtering;
using FileSync.Edge.Uplink;

namespace FileSync.Edge.Workspace;

/// <summary>The loop: waiting for work (settle and batch interval) and running one batch.</summary>
public sealed partial class WorkspaceSyncManager
{
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
                        RecordSync();
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
            // Paused: nothing is sent (not even a new session's full sync) until Resume wakes the loop.
            if (session is not null && !_paused)
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
}
