using System.Security.Cryptography;
using System.Text;
using FileSync.Protocol;
using FileSync.Protocol.Tree;
using Xunit.Abstractions;

namespace FileSync.Edge.Tests.Server;

/// <summary>The reference server's side of the binary wire and of the digest-first resume, driven by a raw client.</summary>
public sealed class BinaryWireTests(ITestOutputHelper output) : ServerTestBase(output)
{
    private static string Hash(byte[] content) =>
        Convert.ToHexStringLower(SHA256.HashData(content));

    private static byte[] Packed(string type, byte[] content, string relativePath) =>
        SyncFrames.FileSync(
            WireFormat.MessagePack,
            type,
            new FileSyncPayload
            {
                Path = EdgeMessages.WorkspaceRoot + "/" + relativePath,
                Content = "",
                Encoding = "",
                Workspace = EdgeMessages.WorkspaceRoot,
                RelativePath = relativePath,
                Hash = Hash(content),
                Size = content.Length,
            },
            content
        )!;

    [Fact]
    public async Task Connect_EdgeAsksForMessagePack_AnnouncedAndRepliesAreBinary()
    {
        var server = await StartServerAsync();
        var client = await ConnectAsync(server, messagePack: true);

        Assert.Equal(WireFormat.Json, client.Hello.Format);
        Assert.Contains(
            Capabilities.MessagePack,
            client
                .Hello.Payload.GetProperty("capabilities")
                .EnumerateArray()
                .Select(c => c.GetString())
        );
        var content = new byte[] { 0, 0xff, 1, 0x80 };
        await client.SendBinaryAsync(Packed(MessageTypes.FileCreateSync, content, "raw.bin"));
        await Wait.UntilAsync(
            () => File.Exists(Sandbox.MirrorPath("proj", "raw.bin")),
            "the binary file written"
        );
        Assert.Equal(content, await File.ReadAllBytesAsync(Sandbox.MirrorPath("proj", "raw.bin")));

        await client.SendBinaryAsync([0xc1, 0x00]);
        var error = await client.ReceiveErrorAsync(ErrorCodes.MalformedMessage);
        Assert.Equal(WireFormat.MessagePack, error.Format);
        // JSON text frames still work on a MessagePack connection.
        await client.SendTextAsync(EdgeMessages.Create("text.txt", "still text"));
        await Wait.UntilAsync(
            () => File.Exists(Sandbox.MirrorPath("proj", "text.txt")),
            "a JSON frame applied on a MessagePack connection"
        );
    }

    [Fact]
    public async Task Connect_EdgeDoesNotAsk_NoMessagePackAndABinaryFrameIsAnError()
    {
        var server = await StartServerAsync();
        var client = await ConnectAsync(server);

        Assert.DoesNotContain(
            Capabilities.MessagePack,
            client
                .Hello.Payload.GetProperty("capabilities")
                .EnumerateArray()
                .Select(c => c.GetString())
        );
        await client.SendBinaryAsync(Packed(MessageTypes.FileCreateSync, [1, 2], "x.bin"));
        var error = await client.ReceiveErrorAsync(ErrorCodes.MalformedMessage);
        Assert.Equal(WireFormat.Json, error.Format);
        Assert.Contains("msgpack", error.Payload.GetProperty("message").GetString());
        Assert.False(File.Exists(Sandbox.MirrorPath("proj", "x.bin")));
    }

    [Fact]
    public async Task FileSync_EveryCutOfAPackedFrame_OneErrorEachNothingWrittenConnectionKept()
    {
        var server = await StartServerAsync();
        var client = await ConnectAsync(server, messagePack: true);
        var frame = Packed(MessageTypes.FileCreateSync, "whole content"u8.ToArray(), "cut.txt");

        for (var length = 1; length < frame.Length; length += 2)
        {
            await client.SendBinaryAsync(frame[..length]);
            await client.ReceiveErrorAsync(ErrorCodes.MalformedMessage);
        }
        Assert.False(File.Exists(Sandbox.MirrorPath("proj", "cut.txt")));
        await client.SendBinaryAsync(frame);
        await Wait.UntilAsync(
            () => File.Exists(Sandbox.MirrorPath("proj", "cut.txt")),
            "the whole frame applied after the cut ones"
        );
    }

    [Theory]
    [InlineData("wrong size")]
    [InlineData("not brotli")]
    [InlineData("bomb")]
    public async Task FileSync_BrotliContentThatIsNotWhatItSays_RefusedNothingWritten(string what)
    {
        var server = await StartServerAsync();
        var client = await ConnectAsync(server, messagePack: true);
        var text = System.Text.Encoding.UTF8.GetBytes(
            string.Concat(Enumerable.Repeat("abc ", 2000))
        );
        var declared = what switch
        {
            "wrong size" => text.Length - 1,
            "bomb" => 1000,
            _ => text.Length,
        };
        var compressed = ContentCompression.TryCompress(text)!;
        if (what == "not brotli")
        {
            compressed[0] ^= 0xff;
            compressed[1] ^= 0xff;
        }
        var frame = Protocol.PackedBytes.Pack(
            (ref MessagePack.MessagePackWriter w) =>
            {
                w.WriteMapHeader(2);
                w.Write("type");
                w.Write(MessageTypes.FileCreateSync);
                w.Write("payload");
                w.WriteMapHeader(6);
                w.Write("workspace");
                w.Write(EdgeMessages.WorkspaceRoot);
                w.Write("relativePath");
                w.Write("br.txt");
                w.Write("content");
                w.Write(compressed);
                w.Write("encoding");
                w.Write(ContentEncodings.Brotli);
                w.Write("size");
                w.Write(declared);
                w.Write("hash");
                w.Write(Hash(text));
            }
        );

        await client.SendBinaryAsync(frame);

        await client.ReceiveErrorAsync(ErrorCodes.InvalidPayload);
        Assert.False(File.Exists(Sandbox.MirrorPath("proj", "br.txt")));
    }

    [Fact]
    public async Task FileSync_PackedContentNotMatchingItsHash_Refused()
    {
        var server = await StartServerAsync();
        var client = await ConnectAsync(server, messagePack: true);
        var frame = Packed(MessageTypes.FileCreateSync, "honest"u8.ToArray(), "a.txt");
        // Same length, other bytes: the hash no longer matches the content.
        var at = frame.AsSpan().IndexOf("honest"u8);
        "forged"u8.CopyTo(frame.AsSpan(at));

        await client.SendBinaryAsync(frame);

        await client.ReceiveErrorAsync(ErrorCodes.InvalidPayload);
        Assert.False(File.Exists(Sandbox.MirrorPath("proj", "a.txt")));
    }

    [Fact]
    public async Task ManifestTree_DigestMatchesTheMirror_NothingNeeded()
    {
        var server = await StartServerAsync();
        var client = await ConnectAsync(server);
        await client.SendTextAsync(EdgeMessages.Create("a/b.txt", "b"));
        await client.SendTextAsync(EdgeMessages.Create("c.txt", "c"));
        await Wait.UntilAsync(
            () => File.Exists(Sandbox.MirrorPath("proj", "c.txt")),
            "both files written"
        );
        var tree = ManifestTree.Build([
            new ManifestEntry("a/b.txt", Hash("b"u8.ToArray()), 1),
            new ManifestEntry("c.txt", Hash("c"u8.ToArray()), 1),
        ]);

        await client.SendTextAsync(ManifestTreeFrame(tree.RootDigest));

        var diff = await client.ReceiveAsync(MessageTypes.ManifestDiff);
        Assert.Empty(diff.Payload.GetProperty("need").EnumerateArray());
    }

    [Fact]
    public async Task ManifestTree_Differs_ServerAsksIntoTheDifferingDirectoryOnlyAndDeletesWhatTheEdgeLacks()
    {
        var server = await StartServerAsync();
        var client = await ConnectAsync(server);
        foreach (
            var (path, text) in new[]
            {
                ("same/x.txt", "x"),
                ("changed/y.txt", "y"),
                ("gone/z.txt", "z"),
            }
        )
        {
            await client.SendTextAsync(EdgeMessages.Create(path, text));
        }
        await Wait.UntilAsync(
            () => File.Exists(Sandbox.MirrorPath("proj", "gone/z.txt")),
            "the files written"
        );
        var edge = ManifestTree.Build([
            new ManifestEntry("same/x.txt", Hash("x"u8.ToArray()), 1),
            new ManifestEntry("changed/y.txt", Hash("Y"u8.ToArray()), 1),
            new ManifestEntry("new/n.txt", Hash("n"u8.ToArray()), 1),
        ]);

        await client.SendTextAsync(ManifestTreeFrame(edge.RootDigest));
        var request = await client.ReceiveAsync(MessageTypes.TreeRequest);
        Assert.Equal(
            [""],
            request.Payload.GetProperty("dirs").EnumerateArray().Select(d => d.GetString())
        );
        await client.SendTextAsync(Listing(edge, dirs: [""]));

        request = await client.ReceiveAsync(MessageTypes.TreeRequest);
        // "same" matched its digest; "changed" differs; "new" is unknown to the server: listed whole.
        Assert.Equal(
            ["changed"],
            request.Payload.GetProperty("dirs").EnumerateArray().Select(d => d.GetString())
        );
        Assert.Equal(
            ["new"],
            request.Payload.GetProperty("subtrees").EnumerateArray().Select(d => d.GetString())
        );
        await client.SendTextAsync(Listing(edge, dirs: ["changed"], subtrees: ["new"]));

        var diff = await client.ReceiveAsync(MessageTypes.ManifestDiff);
        Assert.Equal(
            ["changed/y.txt", "new/n.txt"],
            diff.Payload.GetProperty("need").EnumerateArray().Select(n => n.GetString())
        );
        Assert.False(File.Exists(Sandbox.MirrorPath("proj", "gone/z.txt")));
        Assert.True(File.Exists(Sandbox.MirrorPath("proj", "same/x.txt")));
    }

    [Fact]
    public async Task TreeListing_NotAskedFor_RefusedAndNothingDeleted()
    {
        var server = await StartServerAsync();
        var client = await ConnectAsync(server);
        await client.SendTextAsync(EdgeMessages.Create("keep.txt", "k"));
        await Wait.UntilAsync(
            () => File.Exists(Sandbox.MirrorPath("proj", "keep.txt")),
            "the file written"
        );
        var empty = ManifestTree.Build([]);

        await client.SendTextAsync(Listing(empty, dirs: [""]));
        await client.ReceiveErrorAsync(ErrorCodes.InvalidPayload);

        await client.SendTextAsync(ManifestTreeFrame(empty.RootDigest));
        await client.ReceiveAsync(MessageTypes.TreeRequest);
        await client.SendTextAsync(Listing(empty, dirs: ["elsewhere"]));
        await client.ReceiveErrorAsync(ErrorCodes.InvalidPayload);
        Assert.True(File.Exists(Sandbox.MirrorPath("proj", "keep.txt")));
    }

    private static string ManifestTreeFrame(string digest) =>
        Encoding.UTF8.GetString(
            ProtocolMessage.Serialize(
                MessageTypes.ManifestTree,
                new ManifestTreePayload { Path = EdgeMessages.WorkspaceRoot, Digest = digest }
            )
        );

    private static string Listing(ManifestTree tree, string[] dirs, string[]? subtrees = null)
    {
        var exchange = new FileSync.Edge.Workspace.Pipeline.ManifestTreeExchange(
            tree.FilesUnder("")
        );
        var part = exchange
            .Answer(new TreeRequestPayload { Dirs = dirs, Subtrees = subtrees })
            .Single();
        return Encoding.UTF8.GetString(
            ProtocolMessage.Serialize(
                MessageTypes.TreeListing,
                new TreeListingPayload
                {
                    Path = EdgeMessages.WorkspaceRoot,
                    Dirs = part.Dirs,
                    Subtrees = part.Subtrees,
                    Last = true,
                }
            )
        );
    }
}
