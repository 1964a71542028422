using FileSync.Edge.Uplink;
using FileSync.Protocol;

namespace FileSync.Edge.Workspace;

/// <summary>Full syncs: the whole workspace scanned and converged after a (re)connect, a resync or a rescan.</summary>
public sealed partial class WorkspaceSyncManager
{
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
        UseHashOf(session);
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
    /// Makes the session's content hash the one of the index and of every read. An index of the other
    /// algorithm (a saved one, or the last server's) is never sent: it is emptied, so every file is read
    /// and hashed again, and what the server holds is known again only from this session's exchange.
    /// </summary>
    private void UseHashOf(UplinkSession session)
    {
        var algorithm = session.Hash;
        _reader.Algorithm = algorithm;
        if (_index.Algorithm == algorithm)
        {
            return;
        }
        Log.HashAlgorithmChanged(
            _logger,
            Name,
            algorithm.Name,
            _index.Algorithm.Name,
            _index.Count
        );
        _index.Reset(algorithm);
        _indexChanged = true;
        foreach (var path in _serverState.Keys.ToList())
        {
            _serverState[path] = MaybeOnServer;
        }
        _heldContent.Clear();
        _heldBytes = 0;
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
}
