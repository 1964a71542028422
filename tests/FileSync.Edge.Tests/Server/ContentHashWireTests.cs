using System.Text;
using System.Text.Json.Nodes;
using FileSync.Protocol;
using FileSync.Protocol.Tree;
using Xunit.Abstractions;

namespace FileSync.Edge.Tests.Server;

/// <summary>The reference server's side of capability <c>xxh128</c>, driven by raw clients.</summary>
public sealed class ContentHashWireTests(ITestOutputHelper output) : ServerTestBase(output)
{
    private static IEnumerable<string?> Announced(RawEdgeClient client) =>
        client
            .Hello.Payload.GetProperty("capabilities")
            .EnumerateArray()
            .Select(c => c.GetString());

    private static string Xxh(string text) =>
        ContentHash.XxHash128.Compute(Encoding.UTF8.GetBytes(text));

    private static string CreateWithHash(string relativePath, string text, string hash) =>
        EdgeMessages.FileSync(
            MessageTypes.FileCreateSync,
            relativePath,
            Encoding.UTF8.GetBytes(text),
            ContentEncodings.Utf8,
            hash: hash
        );

    private static string[] Need(ReceivedFrame diff) =>
        [.. diff.Payload.GetProperty("need").EnumerateArray().Select(e => e.GetString()!)];

    [Fact]
    public async Task Connect_EdgeAsksForXxh128_AnnouncedOnlyThen()
    {
        var server = await StartServerAsync();

        var asking = await ConnectAsync(server, fingerprint: "asking", xxh128: true);
        var silent = await ConnectAsync(server, fingerprint: "silent");
        var both = await ConnectAsync(server, fingerprint: "both", messagePack: true, xxh128: true);

        Assert.Contains(Capabilities.XxHash128, Announced(asking));
        Assert.DoesNotContain(Capabilities.MessagePack, Announced(asking));
        Assert.DoesNotContain(Capabilities.XxHash128, Announced(silent));
        Assert.Contains(Capabilities.XxHash128, Announced(both));
        Assert.Contains(Capabilities.MessagePack, Announced(both));
    }

    [Fact]
    public async Task Connect_ServerStartedWithoutXxh128_NotAnnouncedAndSha256Verified()
    {
        var server = await StartServerAsync(configure: o => o.XxHash128 = false);
        var client = await ConnectAsync(server, xxh128: true);

        Assert.DoesNotContain(Capabilities.XxHash128, Announced(client));
        Assert.Contains(Capabilities.Manifest, Announced(client));
        await client.SendTextAsync(CreateWithHash("x.txt", "text", Xxh("text")));
        await client.ReceiveErrorAsync(ErrorCodes.InvalidPayload);
        Assert.False(File.Exists(Sandbox.MirrorPath("proj", "x.txt")));
    }

    [Fact]
    public async Task Connect_LegacyServer_NeverAnnouncesXxh128()
    {
        var server = await StartServerAsync(legacy: true);
        var client = await ConnectAsync(server, xxh128: true);

        Assert.True(
            !client.Hello.Payload.TryGetProperty("capabilities", out var capabilities)
                || capabilities.ValueKind != System.Text.Json.JsonValueKind.Array
                || !capabilities.EnumerateArray().Any(c => c.GetString() == Capabilities.XxHash128)
        );
    }

    [Fact]
    public async Task FileSync_Xxh128Session_RightHashWrittenWrongOrSha256Refused()
    {
        var server = await StartServerAsync();
        var client = await ConnectAsync(server, xxh128: true);

        await client.SendTextAsync(CreateWithHash("ok.txt", "fine", Xxh("fine")));
        await Wait.UntilAsync(
            () => File.Exists(Sandbox.MirrorPath("proj", "ok.txt")),
            "the file with its xxh128 hash written"
        );

        await client.SendTextAsync(CreateWithHash("bad.txt", "real", Xxh("forged")));
        var error = await client.ReceiveErrorAsync(ErrorCodes.InvalidPayload);
        Assert.Contains("xxh128", error.Payload.GetProperty("message").GetString());
        await client.SendTextAsync(
            CreateWithHash("sha.txt", "real", EdgeMessages.Sha256Hex("real"u8.ToArray()))
        );
        await client.ReceiveErrorAsync(ErrorCodes.InvalidPayload);
        Assert.False(File.Exists(Sandbox.MirrorPath("proj", "bad.txt")));
        Assert.False(File.Exists(Sandbox.MirrorPath("proj", "sha.txt")));
    }

    [Fact]
    public async Task FileSync_Xxh128PackedFrameNotMatchingItsHash_Refused()
    {
        var server = await StartServerAsync();
        var client = await ConnectAsync(server, messagePack: true, xxh128: true);
        var content = "honest"u8.ToArray();
        var frame = SyncFrames.FileSync(
            WireFormat.MessagePack,
            MessageTypes.FileCreateSync,
            new FileSyncPayload
            {
                Path = EdgeMessages.WorkspaceRoot + "/a.txt",
                Content = "",
                Encoding = "",
                Workspace = EdgeMessages.WorkspaceRoot,
                RelativePath = "a.txt",
                Hash = ContentHash.XxHash128.Compute(content),
                Size = content.Length,
            },
            content
        )!;
        var at = frame.AsSpan().IndexOf("honest"u8);
        "forged"u8.CopyTo(frame.AsSpan(at));

        await client.SendBinaryAsync(frame);

        await client.ReceiveErrorAsync(ErrorCodes.InvalidPayload);
        Assert.False(File.Exists(Sandbox.MirrorPath("proj", "a.txt")));
    }

    [Fact]
    public async Task Manifest_Sha256AndXxh128EdgesInTurn_EachSeesTheMirrorInItsOwnHash()
    {
        var server = await StartServerAsync();
        (string, string)[] files = [("a.txt", "alpha"), ("d/b.txt", "beta")];
        await using (var sha = await RawEdgeClient.ConnectAsync(server, "sha-edge"))
        {
            foreach (var (path, text) in files)
            {
                await sha.SendTextAsync(EdgeMessages.Create(path, text));
            }
            await sha.SendTextAsync(EdgeMessages.Manifest(files));
            Assert.Empty(Need(await sha.ReceiveAsync(MessageTypes.ManifestDiff)));
        }

        // The cache holds SHA-256 from the writes: an xxh128 edge must not be compared with those.
        await using (var xxh = await RawEdgeClient.ConnectAsync(server, "xxh-edge", xxh128: true))
        {
            await xxh.SendTextAsync(
                EdgeMessages.Manifest(
                    [("a.txt", "alpha"), ("d/b.txt", "BETA")],
                    algorithm: ContentHash.XxHash128
                )
            );
            Assert.Equal(["d/b.txt"], Need(await xxh.ReceiveAsync(MessageTypes.ManifestDiff)));
            await xxh.SendTextAsync(CreateWithHash("d/b.txt", "BETA", Xxh("BETA")));
            await xxh.SendTextAsync(
                EdgeMessages.Manifest(
                    [("a.txt", "alpha"), ("d/b.txt", "BETA")],
                    algorithm: ContentHash.XxHash128
                )
            );
            Assert.Empty(Need(await xxh.ReceiveAsync(MessageTypes.ManifestDiff)));
        }

        // And back: the SHA-256 edge after the xxh128 one (whose write left an xxh128 hash cached).
        await using (var sha = await RawEdgeClient.ConnectAsync(server, "sha-edge"))
        {
            await sha.SendTextAsync(
                EdgeMessages.Manifest([("a.txt", "alpha"), ("d/b.txt", "BETA")])
            );
            Assert.Empty(Need(await sha.ReceiveAsync(MessageTypes.ManifestDiff)));
            await sha.SendTextAsync(EdgeMessages.Manifest([("a.txt", "alpha"), ("d/b.txt", "b")]));
            Assert.Equal(["d/b.txt"], Need(await sha.ReceiveAsync(MessageTypes.ManifestDiff)));
        }
        Assert.Equal("BETA", await File.ReadAllTextAsync(Sandbox.MirrorPath("proj", "d/b.txt")));
    }

    [Fact]
    public async Task ManifestTree_Xxh128Edge_DigestOfXxh128HashesMatchesAMirrorWrittenBySha256()
    {
        var server = await StartServerAsync();
        await using (var sha = await RawEdgeClient.ConnectAsync(server, "sha-edge"))
        {
            await sha.SendTextAsync(EdgeMessages.Create("a/b.txt", "b"));
            await sha.SendTextAsync(EdgeMessages.Create("c.txt", "c"));
            await Wait.UntilAsync(
                () => File.Exists(Sandbox.MirrorPath("proj", "c.txt")),
                "both files written"
            );
        }
        var tree = ManifestTree.Build([
            new ManifestEntry("a/b.txt", Xxh("b"), 1),
            new ManifestEntry("c.txt", Xxh("c"), 1),
        ]);
        await using var xxh = await RawEdgeClient.ConnectAsync(server, "xxh-edge", xxh128: true);

        await xxh.SendTextAsync(
            EdgeMessages.Envelope(
                MessageTypes.ManifestTree,
                new JsonObject
                {
                    ["path"] = EdgeMessages.WorkspaceRoot,
                    ["digest"] = tree.RootDigest,
                }
            )
        );

        Assert.Empty(Need(await xxh.ReceiveAsync(MessageTypes.ManifestDiff)));
    }
}
