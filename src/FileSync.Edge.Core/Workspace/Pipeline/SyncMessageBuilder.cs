using FileSync.Edge.Uplink;
using FileSync.Protocol;

namespace FileSync.Edge.Workspace.Pipeline;

/// <summary>Builds the edge → server frames of one workspace, stamped with the session's ids.</summary>
public sealed class SyncMessageBuilder(string rootPath)
{
    /// <summary>
    /// The create or modify frame of one file in the session's wire format, or null when it cannot
    /// fit into one frame of <see cref="ProtocolMessage.MaxFrameBytes"/> (see <see cref="SyncFrames.FileSync"/>).
    /// <paramref name="compressed"/>: the content already Brotli-compressed (by a hash worker), if it was.
    /// </summary>
    public byte[]? FileSync(
        UplinkSession session,
        string relativePath,
        bool created,
        byte[] content,
        string hash,
        byte[]? compressed = null
    ) =>
        SyncFrames.FileSync(
            session.Format,
            created ? MessageTypes.FileCreateSync : MessageTypes.FileModifySync,
            new FileSyncPayload
            {
                Path = WorkspacePaths.ToFullPath(rootPath, relativePath),
                Content = "",
                Encoding = "",
                EdgeId = session.EdgeId,
                UserId = session.UserId,
                Workspace = rootPath,
                RelativePath = relativePath,
                Hash = hash,
                Size = content.Length,
            },
            content,
            session.CompressContent,
            compressed
        );

    public byte[] FileDelete(UplinkSession session, string relativePath) =>
        ProtocolMessage.Serialize(
            MessageTypes.FileDeleteSync,
            new FileDeletePayload
            {
                Path = WorkspacePaths.ToFullPath(rootPath, relativePath),
                EdgeId = session.EdgeId,
                UserId = session.UserId,
                Workspace = rootPath,
                RelativePath = relativePath,
            },
            session.Format
        );

    public byte[] FileDone(UplinkSession session, SyncStats stats) =>
        ProtocolMessage.Serialize(
            MessageTypes.FileDone,
            new FileDonePayload
            {
                Path = rootPath,
                EdgeId = session.EdgeId,
                UserId = session.UserId,
                Stats = stats,
            },
            session.Format
        );

    public byte[] SyncError(
        UplinkSession session,
        string code,
        string message,
        int? count = null,
        int? limit = null
    ) =>
        ProtocolMessage.Serialize(
            MessageTypes.SyncError,
            new SyncErrorPayload
            {
                Path = rootPath,
                Code = code,
                Message = message,
                EdgeId = session.EdgeId,
                UserId = session.UserId,
                Count = count,
                Limit = limit,
            },
            session.Format
        );

    public byte[] Manifest(
        UplinkSession session,
        IReadOnlyList<ManifestEntry> files,
        int chunk,
        bool last
    ) =>
        SyncFrames.Manifest(
            session.Format,
            new ManifestPayload
            {
                Path = rootPath,
                EdgeId = session.EdgeId,
                UserId = session.UserId,
                Files = files,
                Chunk = chunk,
                Last = last,
            }
        );

    public byte[] ManifestTree(UplinkSession session, string digest, int files) =>
        ProtocolMessage.Serialize(
            MessageTypes.ManifestTree,
            new ManifestTreePayload
            {
                Path = rootPath,
                EdgeId = session.EdgeId,
                UserId = session.UserId,
                Digest = digest,
                Files = files,
            },
            session.Format
        );

    public byte[] TreeListing(
        UplinkSession session,
        IReadOnlyList<TreeListingDirectory> dirs,
        IReadOnlyList<TreeListingDirectory> subtrees,
        bool last
    ) =>
        ProtocolMessage.Serialize(
            MessageTypes.TreeListing,
            new TreeListingPayload
            {
                Path = rootPath,
                EdgeId = session.EdgeId,
                UserId = session.UserId,
                Dirs = dirs.Count > 0 ? dirs : null,
                Subtrees = subtrees.Count > 0 ? subtrees : null,
                Last = last,
            },
            session.Format
        );
}
