using FileSync.Protocol;

namespace FileSync.Edge.Uplink;

/// <summary>
/// One established connection, after <c>connected_edge</c>. <see cref="Epoch"/> grows with every
/// connection, so a sender can tell that the connection it was using is gone.
/// </summary>
public sealed record UplinkSession(
    long Epoch,
    string? EdgeId,
    string? UserId,
    IReadOnlyList<string>? Capabilities,
    long ConnectedTimestamp
)
{
    /// <summary>A server that sent no capabilities speaks only the legacy messages.</summary>
    public bool IsLegacy => Capabilities is null;

    public bool Has(string capability) =>
        Capabilities?.Contains(capability, StringComparer.Ordinal) == true;

    /// <summary>How frames are encoded on this connection, both directions.</summary>
    public WireFormat Format { get; init; } = WireFormat.Json;

    /// <summary>
    /// MessagePack sessions with compression on: file content goes Brotli-compressed by the agent, and
    /// those frames skip permessage-deflate.
    /// </summary>
    public bool CompressContent { get; init; }

    /// <summary>
    /// The content hash of index, manifest and file frames on this connection: XxHash128 when the agent
    /// offered <see cref="Capabilities.XxHash128"/> and the server announced it, SHA-256 otherwise.
    /// </summary>
    public ContentHash Hash { get; init; } = ContentHash.Sha256;
}
