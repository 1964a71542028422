using FileSync.Protocol;

namespace FileSync.Server.Edges;

/// <summary>
/// The server's side of capabilities, in one place: which it announces in <c>connected_edge</c>
/// (given its options and what the edge offered in the <see cref="EdgeCapabilities.HeaderName"/>
/// upgrade header), the session features they turn on, and the <c>--no-…</c> switch that turns one
/// off. A legacy server (<see cref="ServerOptions.IsLegacy"/>) announces none.
/// </summary>
/// <remarks>
/// Adding a capability is one entry in <see cref="s_all"/> plus its consumer (which asks
/// <see cref="EdgeSession.Has"/>); one that can be switched off also names its
/// <see cref="ServerOptions"/> property.
/// </remarks>
internal sealed class CapabilityNegotiation
{
    /// <summary>Every capability the reference server can announce, in <c>connected_edge</c> order.</summary>
    private static readonly ServerCapability[] s_all =
    [
        new(Capabilities.Manifest),
        new(Capabilities.ManifestTree)
        {
            Switch = new(
                "--no-manifest-tree",
                "Do not offer the digest-first resume: edges send the flat manifest",
                options => options.ManifestTree,
                options => options.ManifestTree = false
            ),
        },
        new(Capabilities.DoneAck),
        new(Capabilities.MessagePack)
        {
            OnlyWhenOffered = true,
            Switch = new(
                "--no-msgpack",
                "Do not offer binary MessagePack frames: JSON text with every edge",
                options => options.MessagePack,
                options => options.MessagePack = false
            ),
            Apply = session => session with { Format = WireFormat.MessagePack },
        },
        new(Capabilities.XxHash128)
        {
            OnlyWhenOffered = true,
            Switch = new(
                "--no-xxh128",
                "Do not offer XxHash128 content hashes: SHA-256 with every edge",
                options => options.XxHash128,
                options => options.XxHash128 = false
            ),
            Apply = session => session with { Hash = ContentHash.XxHash128 },
        },
    ];

    private readonly bool _legacy;
    private readonly ServerCapability[] _enabled;

    public CapabilityNegotiation(ServerOptions options)
    {
        _legacy = options.IsLegacy;
        _enabled = options.IsLegacy ? [] : [.. s_all.Where(c => c.Switch?.IsOn(options) != false)];
    }

    /// <summary>The command-line switches that turn a capability off, in table order.</summary>
    public static IEnumerable<CapabilitySwitch> Switches =>
        s_all.Select(c => c.Switch).OfType<CapabilitySwitch>();

    /// <summary>
    /// What one connection gets: every enabled capability the server announces on its own, and those
    /// it announces only to an edge that listed them (so an older edge never sees one it cannot speak).
    /// </summary>
    public NegotiatedSession Negotiate(IReadOnlySet<string> offeredByEdge)
    {
        var session = new NegotiatedSession([], WireFormat.Json, ContentHash.Sha256, _legacy);
        var announced = new List<string>(_enabled.Length);
        foreach (var capability in _enabled)
        {
            if (!capability.OnlyWhenOffered || offeredByEdge.Contains(capability.Name))
            {
                announced.Add(capability.Name);
                session = capability.Apply(session);
            }
        }
        return session with { Capabilities = announced };
    }

    /// <param name="Name">The capability's wire name (<see cref="Capabilities"/>).</param>
    private sealed record ServerCapability(string Name)
    {
        /// <summary>Announced only to an edge that listed it in its upgrade header.</summary>
        public bool OnlyWhenOffered { get; init; }

        /// <summary>The option and command-line switch that turn it off; null: always on (unless legacy).</summary>
        public CapabilitySwitch? Switch { get; init; }

        /// <summary>What the session gets when it is announced.</summary>
        public Func<NegotiatedSession, NegotiatedSession> Apply { get; init; } = session => session;
    }
}
