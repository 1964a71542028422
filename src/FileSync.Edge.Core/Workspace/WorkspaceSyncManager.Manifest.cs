using FileSync.Edge.Uplink;
using FileSync.Protocol;

namespace FileSync.Edge.Workspace;

/// <summary>The manifest exchange with a server that announces the capability.</summary>
public sealed partial class WorkspaceSyncManager
{
    /// <summary>Delivers the server's answer to our manifest.</summary>
    public void OnManifestDiff(ManifestDiffPayload diff) =>
        Volatile.Read(ref _pendingManifestDiff)?.TrySetResult(diff);

    /// <summary>A <c>workspace:tree_request</c>: answered while a digest-first resume runs, else ignored (false).</summary>
    public bool OnTreeRequest(TreeRequestPayload request) =>
        Volatile.Read(ref _treeExchange)?.Enqueue(request) == true;

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
            ManifestTreeExchange? tree = null;
            if (session.Has(Capabilities.ManifestTree))
            {
                // Digest-first: the server asks into the directories whose digest differs from its own.
                tree = new ManifestTreeExchange(entries);
                Volatile.Write(ref _treeExchange, tree);
                await SendOrThrowAsync(
                        session,
                        _messages.ManifestTree(session, tree.Tree.RootDigest, entries.Count),
                        cancellationToken
                    )
                    .ConfigureAwait(false);
                Log.ManifestTreeSent(_logger, Name, entries.Count);
            }
            else
            {
                await SendFlatManifestAsync(session, entries, cancellationToken)
                    .ConfigureAwait(false);
            }

            if (
                await WaitForManifestDiffAsync(session, diffSource, tree, cancellationToken)
                    .ConfigureAwait(false)
                is not { } diff
            )
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
            Volatile.Write(ref _treeExchange, null);
            _heldContent.Clear();
            _heldBytes = 0;
        }
    }

    private async Task SendFlatManifestAsync(
        UplinkSession session,
        List<ManifestEntry> entries,
        CancellationToken cancellationToken
    )
    {
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
    }

    /// <summary>
    /// Waits for the server's <c>manifest_diff</c>, answering its tree requests meanwhile; null when it
    /// stays silent for <see cref="s_manifestTimeout"/>. Throws <see cref="SessionLostException"/> when
    /// the session ends first.
    /// </summary>
    private async Task<ManifestDiffPayload?> WaitForManifestDiffAsync(
        UplinkSession session,
        TaskCompletionSource<ManifestDiffPayload> diffSource,
        ManifestTreeExchange? tree,
        CancellationToken cancellationToken
    )
    {
        while (true)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var lost = WaitForSessionEndAsync(session, timeout.Token);
            var request = tree is null
                ? Task.Delay(Timeout.InfiniteTimeSpan, _time, timeout.Token)
                : tree.Requests.WaitToReadAsync(timeout.Token).AsTask();
            var completed = await Task.WhenAny(
                    diffSource.Task,
                    lost,
                    request,
                    Task.Delay(s_manifestTimeout, _time, timeout.Token)
                )
                .ConfigureAwait(false);
            await timeout.CancelAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            if (completed == diffSource.Task)
            {
                return await diffSource.Task.ConfigureAwait(false);
            }
            if (completed == lost && _uplink.Session != session)
            {
                throw new SessionLostException();
            }
            if (completed == request && tree is not null)
            {
                while (tree.Requests.TryRead(out var next))
                {
                    await AnswerTreeRequestAsync(session, tree, next, cancellationToken)
                        .ConfigureAwait(false);
                }
                continue;
            }
            if (completed == lost)
            {
                continue;
            }
            return null;
        }
    }

    private async Task AnswerTreeRequestAsync(
        UplinkSession session,
        ManifestTreeExchange tree,
        TreeRequestPayload request,
        CancellationToken cancellationToken
    )
    {
        var parts = tree.Answer(request).ToList();
        for (var i = 0; i < parts.Count; i++)
        {
            await SendOrThrowAsync(
                    session,
                    _messages.TreeListing(
                        session,
                        parts[i].Dirs,
                        parts[i].Subtrees,
                        i == parts.Count - 1
                    ),
                    cancellationToken
                )
                .ConfigureAwait(false);
        }
        Log.TreeListingSent(
            _logger,
            Name,
            request.Dirs?.Count ?? 0,
            request.Subtrees?.Count ?? 0,
            parts.Count
        );
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
