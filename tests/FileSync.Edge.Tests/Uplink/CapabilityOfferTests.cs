using FileSync.Edge.Uplink;
using FileSync.Protocol;

namespace FileSync.Edge.Tests.Uplink;

/// <summary>The edge's capability offer: the upgrade header it sends, and the session a server's answer starts.</summary>
public sealed class CapabilityOfferTests
{
    private static ConnectedEdgePayload Connected(IReadOnlyList<string>? capabilities) =>
        new()
        {
            EdgeId = "e",
            UserId = "u",
            Capabilities = capabilities,
        };

    [Theory]
    [InlineData(true, true, "msgpack,xxh128")]
    [InlineData(true, false, "msgpack")]
    [InlineData(false, true, "xxh128")]
    [InlineData(false, false, "")]
    public void HeaderValue_Options_ListsWhatTheyAllowInOrder(
        bool messagePack,
        bool fastHash,
        string expected
    )
    {
        var offer = new CapabilityOffer(
            new UplinkOptions { MessagePack = messagePack, FastHash = fastHash }
        );

        Assert.Equal(expected, offer.HeaderValue);
        Assert.Equal(expected, string.Join(",", offer.Offered));
    }

    [Fact]
    public void StartSession_ServerAnnouncedBoth_MessagePackXxHash128AndCompressedContent()
    {
        var offer = new CapabilityOffer(new UplinkOptions());

        var session = offer.StartSession(
            7,
            Connected([
                Capabilities.Manifest,
                Capabilities.DoneAck,
                Capabilities.MessagePack,
                Capabilities.XxHash128,
            ]),
            42
        );

        Assert.Equal(7, session.Epoch);
        Assert.Equal("e", session.EdgeId);
        Assert.Equal("u", session.UserId);
        Assert.Equal(42, session.ConnectedTimestamp);
        Assert.Equal(WireFormat.MessagePack, session.Format);
        Assert.True(session.CompressContent);
        Assert.Same(ContentHash.XxHash128, session.Hash);
        Assert.True(session.Has(Capabilities.DoneAck));
        Assert.False(session.IsLegacy);
    }

    [Fact]
    public void StartSession_CompressionOff_MessagePackWithRawContent()
    {
        var offer = new CapabilityOffer(new UplinkOptions { Compression = false });

        var session = offer.StartSession(1, Connected([Capabilities.MessagePack]), 0);

        Assert.Equal(WireFormat.MessagePack, session.Format);
        Assert.False(session.CompressContent);
        Assert.Same(ContentHash.Sha256, session.Hash);
    }

    [Fact]
    public void StartSession_ServerAnnouncedWhatTheOptionsForbid_StaysJsonAndSha256()
    {
        var offer = new CapabilityOffer(
            new UplinkOptions { MessagePack = false, FastHash = false }
        );

        var session = offer.StartSession(
            1,
            Connected([Capabilities.MessagePack, Capabilities.XxHash128]),
            0
        );

        Assert.Equal(WireFormat.Json, session.Format);
        Assert.False(session.CompressContent);
        Assert.Same(ContentHash.Sha256, session.Hash);
    }

    [Fact]
    public void StartSession_LegacyServer_IsLegacyJsonAndSha256()
    {
        var session = new CapabilityOffer(new UplinkOptions()).StartSession(1, Connected(null), 0);

        Assert.True(session.IsLegacy);
        Assert.Equal(WireFormat.Json, session.Format);
        Assert.Same(ContentHash.Sha256, session.Hash);
    }
}
