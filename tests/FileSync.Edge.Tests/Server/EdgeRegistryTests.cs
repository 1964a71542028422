using System.Text.Json;
using FileSync.Server;
using FileSync.Server.Edges;

namespace FileSync.Edge.Tests.Server;

public sealed class EdgeRegistryTests
{
    [Fact]
    public void AppendReply_BeyondCapacity_KeepsNewestOldestFirst()
    {
        var registry = new EdgeRegistry(
            new ServerOptions { MaxRepliesPerEdge = 3, MirrorDirectory = "unused" },
            TimeProvider.System
        );

        for (var i = 0; i < 5; i++)
        {
            registry.AppendReply(
                "edge-a",
                $"t{i}",
                JsonDocument.Parse($"{{\"i\":{i}}}").RootElement.Clone()
            );
        }

        Assert.Equal(["t2", "t3", "t4"], registry.GetReplies("edge-a").Select(r => r.Type));
        Assert.Empty(registry.GetReplies("edge-b"));
    }

    [Fact]
    public void AppendReply_UndefinedPayload_StoredAsJsonNull()
    {
        var registry = new EdgeRegistry(
            new ServerOptions { MirrorDirectory = "unused" },
            TimeProvider.System
        );

        registry.AppendReply("edge-a", "t", default);

        Assert.Equal(JsonValueKind.Null, registry.GetReplies("edge-a").Single().Payload.ValueKind);
    }

    [Fact]
    public void EdgeIds_FromFingerprint_StableShortHashOrRandom()
    {
        var a = EdgeIds.FromFingerprint("machine");

        Assert.Equal(a, EdgeIds.FromFingerprint("machine"));
        Assert.Matches("^edge-[0-9a-f]{12}$", a);
        Assert.NotEqual(a, EdgeIds.FromFingerprint("machine2"));
        Assert.NotEqual(EdgeIds.FromFingerprint(null), EdgeIds.FromFingerprint(""));
    }

    [Theory]
    [InlineData(null, null, true)]
    [InlineData(null, "Bearer anything", true)]
    [InlineData("key", "Bearer key", true)]
    [InlineData("key", "bearer key", true)]
    [InlineData("key", "Bearer  key ", true)]
    [InlineData("key", "Bearer other", false)]
    [InlineData("key", "Bearer ke", false)]
    [InlineData("key", "key", false)]
    [InlineData("key", "Basic key", false)]
    [InlineData("key", "", false)]
    [InlineData("key", null, false)]
    public void ApiKeyVerifier_Header_AuthorizedOnlyWithMatchingBearer(
        string? key,
        string? header,
        bool expected
    )
    {
        Assert.Equal(expected, new ApiKeyVerifier(key).IsAuthorized(header));
    }
}
