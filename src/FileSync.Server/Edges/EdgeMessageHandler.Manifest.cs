using FileSync.Protocol;
using FileSync.Server.Mirror;
using FileSync.Server.Protocol;

namespace FileSync.Server.Edges;

/// <summary>Manifests: accumulated chunk by chunk, applied, answered with manifest_diff.</summary>
internal sealed partial class EdgeMessageHandler
{
    private async Task HandleManifestAsync(
        ProtocolMessage message,
        CancellationToken cancellationToken
    )
    {
        if (
            await ReadOrRejectAsync<IncomingManifest>(message, cancellationToken) is not { } payload
        )
        {
            return;
        }
        var root = payload.Workspace ?? payload.Path;
        if (root is null || payload.Files is null)
        {
            await RejectAsync(
                message.Type,
                ErrorCodes.MalformedMessage,
                "'path' and 'files' are required",
                payload.Path,
                null,
                cancellationToken
            );
            return;
        }
        var name = MirrorPaths.LastSegment(root);
        var items = new List<ManifestItem>(payload.Files.Count);
        foreach (var entry in payload.Files)
        {
            if (entry?.RelativePath is null)
            {
                await AbandonManifestAsync(
                    name,
                    message.Type,
                    ErrorCodes.MalformedMessage,
                    "every manifest entry needs a 'relativePath'",
                    payload.Path,
                    cancellationToken
                );
                return;
            }
            items.Add(new ManifestItem(entry.RelativePath, entry.Hash, entry.Size));
        }

        var chunk = payload.Chunk ?? 0;
        var recorded = _store.RecordManifestChunk(name, root, isFirstChunk: chunk == 0);
        if (!recorded.Succeeded)
        {
            await AbandonManifestAsync(
                name,
                message.Type,
                recorded.ErrorCode,
                recorded.ErrorMessage,
                payload.Path,
                cancellationToken
            );
            return;
        }

        if (chunk == 0)
        {
            _manifests[name] = new PendingManifest();
        }
        if (!_manifests.TryGetValue(name, out var pending) || pending.NextChunk != chunk)
        {
            await AbandonManifestAsync(
                name,
                message.Type,
                ErrorCodes.InvalidPayload,
                $"manifest chunk {chunk} arrived out of order; send the manifest again from chunk 0",
                payload.Path,
                cancellationToken
            );
            return;
        }
        if (pending.Items.Count + items.Count > MaxManifestEntries)
        {
            await AbandonManifestAsync(
                name,
                message.Type,
                ErrorCodes.InvalidPayload,
                $"manifest has more than {MaxManifestEntries} entries",
                payload.Path,
                cancellationToken
            );
            return;
        }
        pending.Items.AddRange(items);
        pending.NextChunk = chunk + 1;
        if (payload.Last == false)
        {
            return;
        }

        _manifests.Remove(name);
        await ApplyManifestAsync(
            message.Type,
            name,
            root,
            payload.Path ?? root,
            pending.Items,
            cancellationToken
        );
    }

    /// <summary>Applies the edge's complete manifest to the mirror and answers with <c>workspace:manifest_diff</c>.</summary>
    private async Task ApplyManifestAsync(
        string messageType,
        string name,
        string root,
        string path,
        IReadOnlyCollection<ManifestItem> items,
        CancellationToken cancellationToken
    )
    {
        var outcome = _store.ApplyManifest(name, root, items, _session.Hash);
        if (await RejectIfFailedAsync(messageType, outcome.Result, path, null, cancellationToken))
        {
            return;
        }
        await _session.TrySendAsync(
            ProtocolFrames.ManifestDiff(path, outcome.Need, outcome.Refused),
            cancellationToken
        );
    }
}
