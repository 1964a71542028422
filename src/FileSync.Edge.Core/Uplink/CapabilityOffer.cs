using FileSync.Protocol;

namespace FileSync.Edge.Uplink;

/// <summary>
/// The edge's side of capabilities, in one place: what this agent offers in the
/// <see cref="EdgeCapabilities.HeaderName"/> upgrade header (as its options allow), and which session
/// features the server's <c>connected_edge</c> answer turns on. A capability the server announces on
/// its own (<see cref="Capabilities.Manifest"/>, <see cref="Capabilities.ManifestTree"/>,
/// <see cref="Capabilities.DoneAck"/>) needs no entry here: its consumer asks
/// <see cref="UplinkSession.Has"/>.
/// </summary>
/// <remarks>
/// Adding a capability the edge must offer is one entry in <see cref="s_offers"/> (its name, the
/// option that allows it, what it changes in the session) plus its consumer.
/// </remarks>
internal sealed class CapabilityOffer
{
    /// <summary>Every capability the edge offers, in header order.</summary>
    private static readonly OfferedCapability[] s_offers =
    [
        new(
            Capabilities.MessagePack,
            options => options.MessagePack,
            (session, options) =>
                session with
                {
                    Format = WireFormat.MessagePack,
                    CompressContent = options.Compression,
                }
        ),
        new(
            Capabilities.XxHash128,
            options => options.FastHash,
            (session, _) => session with { Hash = ContentHash.XxHash128 }
        ),
    ];

    private readonly UplinkOptions _options;

    public CapabilityOffer(UplinkOptions options)
    {
        _options = options;
        Offered = [.. s_offers.Where(o => o.IsAllowed(options)).Select(o => o.Name)];
        HeaderValue = string.Join(",", Offered);
    }

    /// <summary>The names this agent offers (empty: it speaks JSON with SHA-256 only).</summary>
    public IReadOnlyList<string> Offered { get; }

    /// <summary>The <see cref="EdgeCapabilities.HeaderName"/> value; empty when nothing is offered (no header then).</summary>
    public string HeaderValue { get; }

    /// <summary>
    /// The session a <c>connected_edge</c> starts: JSON and SHA-256 unless the agent offered a
    /// capability and the server announced it.
    /// </summary>
    public UplinkSession StartSession(long epoch, ConnectedEdgePayload connected, long timestamp)
    {
        var session = new UplinkSession(
            epoch,
            connected.EdgeId,
            connected.UserId,
            connected.Capabilities,
            timestamp
        );
        foreach (var offer in s_offers)
        {
            if (offer.IsAllowed(_options) && session.Has(offer.Name))
            {
                session = offer.Apply(session, _options);
            }
        }
        return session;
    }

    /// <param name="Name">The capability's wire name (<see cref="Capabilities"/>).</param>
    /// <param name="IsAllowed">Whether the options let the agent offer it.</param>
    /// <param name="Apply">What the session gets when the server announced it.</param>
    private sealed record OfferedCapability(
        string Name,
        Func<UplinkOptions, bool> IsAllowed,
        Func<UplinkSession, UplinkOptions, UplinkSession> Apply
    );
}
