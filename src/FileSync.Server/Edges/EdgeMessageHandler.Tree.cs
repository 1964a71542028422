using FileSync.Protocol;
using FileSync.Protocol.Tree;
using FileSync.Server.Mirror;
using FileSync.Server.Protocol;

namespace FileSync.Server.Edges;

/// <summary>
/// The digest-first resume (capability <c>manifest-tree</c>): compare the edge's root digest with the
/// mirror's, ask into the directories that differ, and rebuild the edge's complete manifest from the
/// listings plus the mirror's own entries under every directory whose digest matched. That manifest is
/// then applied exactly like a flat one (deletes, <c>manifest_diff</c>, refusals).
/// </summary>
internal sealed partial class EdgeMessageHandler
{
    /// <summary>Most request rounds in one resume (a tree is at most this deep).</summary>
    private const int MaxTreeRounds = 256;

    private readonly Dictionary<string, TreeResume> _treeResumes = new(MirrorPaths.PathComparer);

    private async Task HandleManifestTreeAsync(
        ProtocolMessage message,
        CancellationToken cancellationToken
    )
    {
        if (
            await ReadOrRejectAsync<ManifestTreePayload>(message, cancellationToken)
            is not { } payload
        )
        {
            return;
        }
        var root = payload.Path;
        var name = MirrorPaths.LastSegment(root);
        _manifests.Remove(name);
        _treeResumes.Remove(name);
        var recorded = _store.RecordManifestChunk(name, root, isFirstChunk: true);
        if (await RejectIfFailedAsync(message.Type, recorded, root, null, cancellationToken))
        {
            return;
        }
        var mirror = ManifestTree.Build(_store.ListFiles(name, _session.Hash));
        if (string.Equals(mirror.RootDigest, payload.Digest, StringComparison.OrdinalIgnoreCase))
        {
            Log.TreeMatched(_logger, _session.EdgeId, name, mirror.FileCount);
            await _session.TrySendAsync(
                ProtocolFrames.ManifestDiff(root, [], []),
                cancellationToken
            );
            return;
        }
        var resume = new TreeResume(root, mirror);
        resume.AwaitedDirs.Add("");
        _treeResumes[name] = resume;
        await _session.TrySendAsync(ProtocolFrames.TreeRequest(root, [""], []), cancellationToken);
    }

    private async Task HandleTreeListingAsync(
        ProtocolMessage message,
        CancellationToken cancellationToken
    )
    {
        if (
            await ReadOrRejectAsync<TreeListingPayload>(message, cancellationToken)
            is not { } payload
        )
        {
            return;
        }
        var name = MirrorPaths.LastSegment(payload.Path);
        if (!_treeResumes.TryGetValue(name, out var resume))
        {
            await RejectAsync(
                message.Type,
                ErrorCodes.InvalidPayload,
                "no tree request is pending for this workspace; send workspace:manifest_tree first",
                payload.Path,
                null,
                cancellationToken
            );
            return;
        }
        if (resume.Take(payload) is { } problem)
        {
            _treeResumes.Remove(name);
            await RejectAsync(
                message.Type,
                ErrorCodes.InvalidPayload,
                problem,
                payload.Path,
                null,
                cancellationToken
            );
            return;
        }
        if (!payload.Last)
        {
            return;
        }
        if (resume.NextDirs.Count > 0 || resume.NextSubtrees.Count > 0)
        {
            if (++resume.Rounds > MaxTreeRounds)
            {
                _treeResumes.Remove(name);
                await RejectAsync(
                    message.Type,
                    ErrorCodes.InvalidPayload,
                    $"the tree is deeper than {MaxTreeRounds} levels; send the flat manifest",
                    payload.Path,
                    null,
                    cancellationToken
                );
                return;
            }
            var (dirs, subtrees) = resume.NextRound();
            await _session.TrySendAsync(
                ProtocolFrames.TreeRequest(resume.Root, dirs, subtrees),
                cancellationToken
            );
            return;
        }
        _treeResumes.Remove(name);
        Log.TreeResolved(_logger, _session.EdgeId, name, resume.Items.Count, resume.Rounds + 1);
        await ApplyManifestAsync(
            message.Type,
            name,
            resume.Root,
            resume.Root,
            resume.Items,
            cancellationToken
        );
    }
}
