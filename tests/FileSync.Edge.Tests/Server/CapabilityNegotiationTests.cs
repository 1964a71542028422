using FileSync.Protocol;
using FileSync.Server;
using FileSync.Server.Edges;

namespace FileSync.Edge.Tests.Server;

/// <summary>The reference server's negotiation: what <c>connected_edge</c> announces and what the session gets.</summary>
public sealed class CapabilityNegotiationTests
{
    private static readonly HashSet<string> s_modernEdge =
    [
        Capabilities.MessagePack,
        Capabilities.XxHash128,
    ];

    private static ServerOptions Options() => new() { MirrorDirectory = "/unused" };

    [Fact]
    public void Negotiate_EdgeOffersBoth_AnnouncesEverythingInOrder()
    {
        var negotiated = new CapabilityNegotiation(Options()).Negotiate(s_modernEdge);

        Assert.Equal(
            [
                Capabilities.Manifest,
                Capabilities.ManifestTree,
                Capabilities.DoneAck,
                Capabilities.MessagePack,
                Capabilities.XxHash128,
            ],
            negotiated.Announced
        );
        Assert.Equal(WireFormat.MessagePack, negotiated.Format);
        Assert.Same(ContentHash.XxHash128, negotiated.Hash);
    }

    [Fact]
    public void Negotiate_EdgeOffersNothing_AnnouncesOnlyWhatNeedsNoOffer()
    {
        var negotiated = new CapabilityNegotiation(Options()).Negotiate(new HashSet<string>());

        Assert.Equal(
            [Capabilities.Manifest, Capabilities.ManifestTree, Capabilities.DoneAck],
            negotiated.Announced
        );
        Assert.Equal(WireFormat.Json, negotiated.Format);
        Assert.Same(ContentHash.Sha256, negotiated.Hash);
    }

    [Theory]
    [InlineData(true, ServerDialect.Ours)]
    [InlineData(false, ServerDialect.Todoforai)]
    public void Negotiate_LegacyServer_AnnouncesNoCapabilitiesField(
        bool legacy,
        ServerDialect dialect
    )
    {
        var options = Options();
        options.Legacy = legacy;
        options.Dialect = dialect;

        var negotiated = new CapabilityNegotiation(options).Negotiate(s_modernEdge);

        Assert.Null(negotiated.Announced);
        Assert.Empty(negotiated.Capabilities);
        Assert.Equal(WireFormat.Json, negotiated.Format);
        Assert.Same(ContentHash.Sha256, negotiated.Hash);
    }

    [Fact]
    public void Switches_AreTheServersNoFlags()
    {
        Assert.Equal(
            ["--no-manifest-tree", "--no-msgpack", "--no-xxh128"],
            CapabilityNegotiation.Switches.Select(s => s.Flag)
        );
    }

    [Theory]
    [InlineData("--no-manifest-tree", "manifest-tree")]
    [InlineData("--no-msgpack", "msgpack")]
    [InlineData("--no-xxh128", "xxh128")]
    public void Negotiate_CapabilitySwitchedOff_IsNotAnnouncedAndTheRestIs(
        string flag,
        string capability
    )
    {
        var options = Options();
        var capabilitySwitch = CapabilityNegotiation.Switches.Single(s => s.Flag == flag);
        Assert.True(capabilitySwitch.IsOn(options));

        capabilitySwitch.TurnOff(options);
        var negotiated = new CapabilityNegotiation(options).Negotiate(s_modernEdge);

        Assert.False(capabilitySwitch.IsOn(options));
        Assert.DoesNotContain(capability, negotiated.Capabilities);
        Assert.Equal(4, negotiated.Capabilities.Count);
        Assert.Equal(
            capability == Capabilities.MessagePack ? WireFormat.Json : WireFormat.MessagePack,
            negotiated.Format
        );
        Assert.Same(
            capability == Capabilities.XxHash128 ? ContentHash.Sha256 : ContentHash.XxHash128,
            negotiated.Hash
        );
    }
}
