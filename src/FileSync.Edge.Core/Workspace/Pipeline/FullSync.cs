using FileSync.Edge.Filtering;
using FileSync.Edge.Uplink;
using FileSync.Protocol;
using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Workspace.Pipeline;

/// <summary>
/// Converges the server with the whole workspace: after a (re)connect or a resync (manifest resume when
/// the server has the capability, a full re-send otherwise, then <c>file_done</c>), and for a rescan
/// (only real differences are sent).
/// </summary>
internal sealed partial class FullSync(
    string rootPath,
    string name,
    int maxFiles,
    long maxFileBytes,
    WorkspaceSyncState state,
    WorkspaceLifecycle lifecycle,
    WorkspaceIgnoreFilter filter,
    FileContentReader reader,
    WatcherSupervisor watchers,
    ChangePlanner planner,
    SyncPipeline pipeline,
    PauseGate gate,
    ManifestExchange manifest,
    RejectionRetrier rejections,
    WorkspaceSender sender,
    DeliveryConfirmation delivery,
    IndexSaver saver,
    SyncTimings timings,
    FullSyncProgress fullSyncProgress,
    ISyncProgress? progress,
    TimeProvider time,
    ILogger logger
)
{
    private readonly WorkspaceLifecycle _lifecycle = lifecycle;
    private readonly WorkspaceIndex _index = state.Index;
    private readonly ServerHoldings _server = state.Server;
    private readonly WorkspaceCounters _counters = state.Counters;
    private readonly SyncTimings _timings = timings;
    private bool _initialSyncLogged;

    /// <summary>The whole workspace, then <c>file_done</c>. False when it is refused, missing or its root changed.</summary>
    public async Task<bool> RunAsync(UplinkSession session, CancellationToken cancellationToken)
    {
        fullSyncProgress.Begin();
        try
        {
            return await SyncAsync(session, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            fullSyncProgress.End();
        }
    }

    private async Task<bool> SyncAsync(UplinkSession session, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        _timings.Reset();
        var messagesBefore = _counters.MessagesSent;
        if (
            _lifecycle.State
            is not (WorkspaceState.Refused or WorkspaceState.Missing or WorkspaceState.RootChanged)
        )
        {
            _lifecycle.MoveTo(WorkspaceState.Syncing);
        }
        filter.Invalidate();
        UseHashOf(session);
        var useManifest = session.Has(Capabilities.Manifest);
        var synced = useManifest
            ? await ManifestSyncAsync(session, cancellationToken).ConfigureAwait(false)
            : await RescanAsync(session, SyncBatchKind.ResendAll, cancellationToken)
                .ConfigureAwait(false);
        if (!synced)
        {
            return false;
        }
        // A pause asked for now holds before file_done: resumed, the sync ends where it stopped.
        await gate.HoldAsync(session, cancellationToken).ConfigureAwait(false);
        var stats = _counters.Stats(_index, rejections);
        // The counts the server is about to be told are final: a status read right after the server
        // has seen file_done shows the same counts, not the ones from before this sync.
        _counters.Publish(_index, rejections);
        delivery.Expect();
        var finishing = _timings.Now();
        await sender.SendDoneAsync(session, stats, cancellationToken).ConfigureAwait(false);
        // "Done" means the server has the files: its acknowledgement, or with a server that does not
        // acknowledge, the socket's data drained. A connection lost before that syncs again.
        if (
            !await delivery
                .ConfirmAsync(session, messagesBefore, cancellationToken)
                .ConfigureAwait(false)
        )
        {
            return false;
        }
        _timings.DoneAcknowledged = _timings.Since(finishing);
        return Finish(stats, useManifest, time.GetElapsedTime(started));
    }

    private bool Finish(SyncStats stats, bool byManifest, TimeSpan elapsed)
    {
        // Counters first: whoever sees "watching" sees the counts of the finished sync.
        _counters.Publish(_index, rejections);
        _lifecycle.MoveTo(WorkspaceState.Watching);
        saver.SaveIfDue(force: true);
        progress?.Report(
            new SyncProgressSnapshot(
                name,
                _index.Count + _counters.SkippedCount,
                _index.Count,
                _index.Count,
                Completed: true
            )
        );
        if (_initialSyncLogged)
        {
            Log.ResyncDone(
                logger,
                name,
                stats.FilesSynced,
                byManifest ? "manifest" : "full re-send",
                elapsed.TotalSeconds
            );
            return true;
        }
        _initialSyncLogged = true;
        Log.InitialSyncDone(
            logger,
            name,
            stats.FilesSynced,
            stats.BytesSynced,
            stats.FilesSkipped,
            _counters.SkippedFor(FileReadStatus.TooLarge),
            _counters.SkippedFor(FileReadStatus.Binary),
            stats.SyncErrors,
            elapsed.TotalSeconds
        );
        Log.InitialSyncTimings(
            logger,
            name,
            _timings.Scan.TotalMilliseconds,
            _timings.IndexPass.TotalMilliseconds,
            _timings.ManifestExchange.TotalMilliseconds,
            _timings.SendPass.TotalMilliseconds,
            _timings.ReadHash.TotalMilliseconds,
            _timings.Compress.TotalMilliseconds,
            _timings.Frame.TotalMilliseconds,
            _timings.Socket.TotalMilliseconds,
            _timings.DoneAcknowledged.TotalMilliseconds
        );
        Log.MemoryFigures(logger, name, "after the initial sync");
        return true;
    }

    /// <summary>
    /// Scans the whole workspace and converges: files not on disk any more are deleted, changed ones
    /// sent, as <paramref name="kind"/> says (<see cref="SyncBatchKind.Rescan"/>,
    /// <see cref="SyncBatchKind.ResendAll"/> or <see cref="SyncBatchKind.ManifestIndex"/>). Returns false
    /// when the workspace is refused (over the file limit), missing or its root changed.
    /// </summary>
    public async Task<bool> RescanAsync(
        UplinkSession session,
        SyncBatchKind kind,
        CancellationToken cancellationToken
    )
    {
        if (!Directory.Exists(rootPath))
        {
            await _lifecycle.ReportMissingAsync(session, cancellationToken).ConfigureAwait(false);
            return false;
        }
        if (_lifecycle.DetectRootChange())
        {
            await _lifecycle
                .ReportRootChangedAsync(session, cancellationToken)
                .ConfigureAwait(false);
            return false;
        }
        if (_lifecycle.State == WorkspaceState.Missing)
        {
            // The folder is back: watch it again.
            watchers.Start();
        }
        var scanning = _timings.Now();
        var scan = planner.ScanAll(cancellationToken);
        _timings.Scan += _timings.Since(scanning);
        var eligible = 0;
        var eligibleBytes = 0L;
        foreach (var file in scan.Files)
        {
            if (file.Size <= maxFileBytes)
            {
                eligible++;
                eligibleBytes += file.Size;
            }
        }
        fullSyncProgress.SetTotals(eligible, eligibleBytes);
        if (eligible > maxFiles)
        {
            await _lifecycle
                .RefuseAsync(session, eligible, cancellationToken)
                .ConfigureAwait(false);
            return false;
        }
        if (_lifecycle.State is WorkspaceState.Refused or WorkspaceState.Missing)
        {
            Log.WorkspaceResumed(logger, rootPath, eligible);
            _lifecycle.MoveTo(WorkspaceState.Syncing);
        }
        var batch = new SyncBatch(session, kind)
        {
            ReportProgress = _lifecycle.State == WorkspaceState.Syncing,
            Scanned = scan.Files.Count,
        };
        var passing = _timings.Now();
        await pipeline
            .RunAsync(planner.PlanFullScan(scan, batch), batch, cancellationToken)
            .ConfigureAwait(false);
        if (kind == SyncBatchKind.ManifestIndex)
        {
            _timings.IndexPass += _timings.Since(passing);
        }
        else
        {
            _timings.SendPass += _timings.Since(passing);
        }
        return true;
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
        try
        {
            if (
                !await RescanAsync(session, SyncBatchKind.ManifestIndex, cancellationToken)
                    .ConfigureAwait(false)
            )
            {
                return false;
            }
            await gate.HoldAsync(session, cancellationToken).ConfigureAwait(false);
            var exchanging = _timings.Now();
            var entries = _index
                .Entries.Select(e => new ManifestEntry(e.Key, e.Value.Hash, e.Value.Size))
                .ToList();
            if (
                await manifest
                    .ExchangeAsync(session, entries, cancellationToken)
                    .ConfigureAwait(false)
                is not { } diff
            )
            {
                Log.ManifestTimedOut(logger, name);
                return await RescanAsync(session, SyncBatchKind.ResendAll, cancellationToken)
                    .ConfigureAwait(false);
            }
            var need = ApplyDiff(diff);
            _timings.ManifestExchange += _timings.Since(exchanging);
            Log.MemoryFigures(logger, name, "after the manifest exchange");
            var batch = new SyncBatch(session, SyncBatchKind.ManifestNeeded)
            {
                ReportProgress = true,
            };
            var sending = _timings.Now();
            await pipeline
                .RunAsync(planner.Items(need, batch), batch, cancellationToken)
                .ConfigureAwait(false);
            _timings.SendPass += _timings.Since(sending);
            return true;
        }
        finally
        {
            state.Held.Clear();
        }
    }

    /// <summary>
    /// What the server holds after its diff: everything indexed but what it needs (maybe held, in another
    /// version) and what it refused (counted as errors, by name, not sent again until it changes).
    /// Returns the files to send.
    /// </summary>
    private HashSet<string> ApplyDiff(ManifestDiffPayload diff)
    {
        var need = new HashSet<string>(diff.Need ?? [], PathComparer.WireNames);
        var refused = new HashSet<string>(PathComparer.WireNames);
        foreach (var refusal in diff.Refused ?? [])
        {
            if (refusal?.RelativePath is { } path && _index.Contains(path) && refused.Add(path))
            {
                rejections.Enqueue(
                    path,
                    LogText.Clean(refusal.Code ?? ""),
                    LogText.Clean(refusal.Message ?? "")
                );
            }
        }
        _server.Clear();
        foreach (var (path, entry) in _index.Entries)
        {
            if (refused.Contains(path))
            {
                continue;
            }
            // A needed file may be missing on the server or held in another version: should it vanish
            // before it is sent, the server's copy must still be deleted.
            if (need.Contains(path))
            {
                _server.MarkMaybeHeld(path);
            }
            else
            {
                _server.Record(path, entry.Hash);
            }
        }
        rejections.Apply();
        need.RemoveWhere(p => !_index.Contains(p));
        var needBytes = 0L;
        foreach (var path in need)
        {
            needBytes += _index.TryGet(path, out var entry) ? entry.Size : 0;
        }
        fullSyncProgress.SetRemaining(need.Count, needBytes);
        return need;
    }

    /// <summary>
    /// Makes the session's content hash the one of the index and of every read. An index of the other
    /// algorithm (a saved one, or the last server's) is never sent: it is emptied, so every file is read
    /// and hashed again, and what the server holds is known again only from this session's exchange.
    /// </summary>
    private void UseHashOf(UplinkSession session)
    {
        var algorithm = session.Hash;
        reader.Algorithm = algorithm;
        if (_index.Algorithm == algorithm)
        {
            return;
        }
        if (_index.Count > 0)
        {
            // Only an index that held files has anything to read again (a first run has none).
            Log.HashAlgorithmChanged(
                logger,
                name,
                algorithm.Name,
                _index.Algorithm.Name,
                _index.Count
            );
        }
        _index.Reset(algorithm);
        saver.MarkChanged();
        _server.MarkAllMaybeHeld();
        state.Held.Clear();
    }
}
