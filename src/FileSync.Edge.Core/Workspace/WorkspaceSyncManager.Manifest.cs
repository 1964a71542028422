using FileSync.Edge.Uplink;
using FileSync.Protocol;

namespace FileSync.Edge.Workspace;

/// <summary>The manifest exchange with a server that announces the capability.</summary>
public sealed partial class WorkspaceSyncManager
{
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
}
