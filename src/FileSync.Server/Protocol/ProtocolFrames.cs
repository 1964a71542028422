using FileSync.Protocol;
using FileSync.Server.Edges;

namespace FileSync.Server.Protocol;

/// <summary>Builds the frames the server sends.</summary>
internal static class ProtocolFrames
{
    public static byte[] ConnectedEdge(string edgeId, IReadOnlyList<string>? capabilities) =>
        ProtocolMessage.Serialize(
            MessageTypes.ConnectedEdge,
            new ConnectedEdgePayload
            {
                EdgeId = edgeId,
                UserId = EdgeIds.UserId,
                Capabilities = capabilities,
            }
        );

    /// <param name="upperCase">The todoforai backend's <c>ERROR</c> instead of <c>error</c> (same payload).</param>
    public static byte[] Error(
        string code,
        string message,
        string? messageType = null,
        string? path = null,
        string? relativePath = null,
        bool upperCase = false
    ) =>
        ProtocolMessage.Serialize(
            upperCase ? MessageTypes.ErrorUpperCase : MessageTypes.Error,
            new ErrorPayload
            {
                Code = code,
                Message = message,
                MessageType = messageType,
                Path = path,
                RelativePath = relativePath,
            }
        );

    public static byte[] FileDoneAck(string path) =>
        ProtocolMessage.Serialize(
            MessageTypes.FileDoneAck,
            new WorkspacePathPayload { Path = path }
        );

    public static byte[] ManifestDiff(
        string? path,
        IReadOnlyList<string> need,
        IReadOnlyList<ManifestRefusal> refused
    ) =>
        ProtocolMessage.Serialize(
            MessageTypes.ManifestDiff,
            new ManifestDiffPayload
            {
                Path = path,
                Need = need,
                Refused = refused.Count > 0 ? refused : null,
            }
        );

    /// <summary>The todoforai backend's <c>edge:config_update</c>: the edge's id, workspaces and config.</summary>
    public static byte[] ConfigUpdate(string edgeId, IReadOnlyList<string> workspaces) =>
        ProtocolMessage.Serialize(
            MessageTypes.ConfigUpdate,
            new ConfigUpdatePayload
            {
                EdgeId = edgeId,
                WorkspacePaths = workspaces,
                Name = "filesync-reference-" + edgeId,
                OwnerId = EdgeIds.UserId,
                IsShellEnabled = false,
                IsFileSystemEnabled = true,
            }
        );

    public static byte[] TreeRequest(
        string path,
        IReadOnlyList<string> dirs,
        IReadOnlyList<string> subtrees
    ) =>
        ProtocolMessage.Serialize(
            MessageTypes.TreeRequest,
            new TreeRequestPayload
            {
                Path = path,
                Dirs = dirs.Count > 0 ? [.. dirs] : null,
                Subtrees = subtrees.Count > 0 ? [.. subtrees] : null,
            }
        );
}
