using System.Text;
using System.Text.Unicode;
using FileSync.Edge.Protocol;
using FileSync.Edge.Uplink;

namespace FileSync.Edge.Workspace;

/// <summary>Builds the edge → server frames of one workspace, stamped with the session's ids.</summary>
public sealed class SyncMessageBuilder(string rootPath)
{
    private static ProtocolJsonContext Json => ProtocolJsonContext.Default;

    public byte[] FileSync(UplinkSession session, string relativePath, bool created, byte[] content, string hash)
    {
        var utf8 = Utf8.IsValid(content);
        var payload = new FileSyncPayload
        {
            Path = WorkspacePaths.ToFullPath(rootPath, relativePath),
            Content = utf8 ? Encoding.UTF8.GetString(content) : Convert.ToBase64String(content),
            Encoding = utf8 ? ContentEncodings.Utf8 : ContentEncodings.Base64,
            EdgeId = session.EdgeId,
            UserId = session.UserId,
            Workspace = rootPath,
            RelativePath = relativePath,
            Hash = hash,
            Size = content.Length,
        };
        return ProtocolMessage.Serialize(created ? MessageTypes.FileCreateSync : MessageTypes.FileModifySync, payload, Json.FileSyncPayload);
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

    public byte[] SyncError(UplinkSession session, string code, string message, int? count = null, int? limit = null) =>
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

    public byte[] Manifest(UplinkSession session, IReadOnlyList<ManifestEntry> files, int chunk, bool last) =>
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
