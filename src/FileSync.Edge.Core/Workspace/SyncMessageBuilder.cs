using System.Text;
using System.Text.Unicode;
using FileSync.Edge.Protocol;
using FileSync.Edge.Uplink;

namespace FileSync.Edge.Workspace;

/// <summary>Builds the edge → server frames of one workspace, stamped with the session's ids.</summary>
public sealed class SyncMessageBuilder(string rootPath)
{
    private static ProtocolJsonContext Json => ProtocolJsonContext.Default;

    /// <summary>
    /// The create or modify frame of one file, or null when it cannot fit into one frame of
    /// <see cref="ProtocolMessage.MaxFrameBytes"/> (text full of characters JSON must escape can grow
    /// six-fold; such text goes as base64 instead, which grows by a third).
    /// </summary>
    public byte[]? FileSync(
        UplinkSession session,
        string relativePath,
        bool created,
        byte[] content,
        string hash
    )
    {
        var type = created ? MessageTypes.FileCreateSync : MessageTypes.FileModifySync;
        if (Utf8.IsValid(content))
        {
            var text = ProtocolMessage.Serialize(
                type,
                Payload(ContentEncodings.Utf8, Encoding.UTF8.GetString(content)),
                Json.FileSyncPayload
            );
            if (text.Length <= ProtocolMessage.MaxFrameBytes)
            {
                return text;
            }
        }
        var base64 = ProtocolMessage.Serialize(
            type,
            Payload(ContentEncodings.Base64, Convert.ToBase64String(content)),
            Json.FileSyncPayload
        );
        return base64.Length <= ProtocolMessage.MaxFrameBytes ? base64 : null;

        FileSyncPayload Payload(string encoding, string encoded) =>
            new()
            {
                Path = WorkspacePaths.ToFullPath(rootPath, relativePath),
                Content = encoded,
                Encoding = encoding,
                EdgeId = session.EdgeId,
                UserId = session.UserId,
                Workspace = rootPath,
                RelativePath = relativePath,
                Hash = hash,
                Size = content.Length,
            };
    }

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
            Json.FileDeletePayload
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
            Json.FileDonePayload
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
            Json.SyncErrorPayload
        );

    public byte[] Manifest(
        UplinkSession session,
        IReadOnlyList<ManifestEntry> files,
        int chunk,
        bool last
    ) =>
        ProtocolMessage.Serialize(
            MessageTypes.Manifest,
            new ManifestPayload
            {
                Path = rootPath,
                EdgeId = session.EdgeId,
                UserId = session.UserId,
                Files = files,
                Chunk = chunk,
                Last = last,
            },
            Json.ManifestPayload
        );
}
