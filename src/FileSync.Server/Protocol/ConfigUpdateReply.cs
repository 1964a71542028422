using System.Text.Json.Serialization;

namespace FileSync.Server.Protocol;

/// <summary>
/// Payload of the <c>edge:config_update</c> the server sends after <c>connected_edge</c>, in the
/// todoforai backend's shape: the edge's id and workspace list plus config fields an edge may ignore.
/// </summary>
internal sealed record ConfigUpdateReply
{
    public required string EdgeId { get; init; }

    [JsonPropertyName("workspacepaths")]
    public required IReadOnlyList<string> WorkspacePaths { get; init; }
    public string? Name { get; init; }
    public string? OwnerId { get; init; }
    public bool IsShellEnabled { get; init; }
    public bool IsFileSystemEnabled { get; init; }
}
