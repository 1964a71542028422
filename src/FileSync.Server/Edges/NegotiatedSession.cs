using FileSync.Protocol;

namespace FileSync.Server.Edges;

/// <summary>What <see cref="CapabilityNegotiation"/> settled for one connection.</summary>
/// <param name="Capabilities">What <c>connected_edge</c> announces (empty for a legacy server).</param>
/// <param name="Format">The wire format after <c>connected_edge</c>.</param>
/// <param name="Hash">The content hash of this connection's manifests and files.</param>
/// <param name="IsLegacy">A legacy server: <c>connected_edge</c> carries no capabilities at all.</param>
internal sealed record NegotiatedSession(
    IReadOnlyList<string> Capabilities,
    WireFormat Format,
    ContentHash Hash,
    bool IsLegacy
)
{
    /// <summary>The <c>capabilities</c> field of <c>connected_edge</c>: null (absent) for a legacy server.</summary>
    public IReadOnlyList<string>? Announced => IsLegacy ? null : Capabilities;
}
