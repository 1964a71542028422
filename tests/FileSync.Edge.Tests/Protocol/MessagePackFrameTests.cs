using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FileSync.Protocol;
using MessagePack;
using static FileSync.Edge.Tests.Protocol.PackedBytes;

namespace FileSync.Edge.Tests.Protocol;

/// <summary>The MessagePack form of frames: same keys as JSON, bytes for content and hashes, and hostile input refused.</summary>
public sealed class MessagePackFrameTests
{
    private static readonly string s_hash = Convert.ToHexStringLower(SHA256.HashData("x"u8));

    [Fact]
    public void Serialize_AnyPayload_ParsesToTheSameJsonAsTheJsonForm()
    {
        var payload = new EdgeStatusPayload
        {
            RequestId = "r-1",
            EdgeId = "e",
            Version = "1.0",
            ConnectedSeconds = 12.5,
            Workspaces =
            [
                new WorkspaceStatus
                {
                    Path = "/w/ü",
                    State = "synced",
                    Files = 3,
                    Bytes = long.MaxValue,
                    ErrorFiles = [new FileProblem("a", "b")],
                },
            ],
        };
        var json = ProtocolMessage.Serialize(MessageTypes.EdgeStatus, payload);
        var packed = ProtocolMessage.Serialize(
            MessageTypes.EdgeStatus,
            payload,
            WireFormat.MessagePack
        );

        Assert.NotEqual((byte)'{', packed[0]);
        Assert.True(ProtocolMessage.TryParse(json, out var fromJson, out _));
        Assert.True(
            ProtocolMessage.TryParse(
                packed,
                WireFormat.MessagePack,
                out var fromPacked,
                out var error
            ),
            error
        );
        Assert.Equal(MessageTypes.EdgeStatus, fromPacked.Type);
        Assert.Equal(WireFormat.MessagePack, fromPacked.Format);
        Assert.Equal(fromJson.Payload.GetRawText(), fromPacked.Payload.GetRawText());
    }

    [Fact]
    public void FileSync_BinaryContent_TravelsAsRawBytesAndHashAsBytes()
    {
        var content = new byte[] { 0, 1, 2, 0xff, 0xfe, (byte)'\n', 0x80 };
        var frame = SyncFrames.FileSync(
            WireFormat.MessagePack,
            MessageTypes.FileCreateSync,
            Fields(s_hash, content.Length),
            content
        )!;

        // Smaller than base64 would be: the content's bytes appear in the frame as they are.
        Assert.True(frame.AsSpan().IndexOf(content) >= 0);
        Assert.True(frame.AsSpan().IndexOf(Convert.FromHexString(s_hash)) >= 0);
        Assert.True(
            ProtocolMessage.TryParse(frame, WireFormat.MessagePack, out var message, out _)
        );
        Assert.True(
            message.TryReadPayload<IncomingFileSync>(out var payload, out var error),
            error
        );
        Assert.Equal(content, payload.RawContent!.Value.ToArray());
        Assert.Null(payload.Content);
        Assert.Equal(s_hash, payload.Hash);
        Assert.Equal(content.Length, payload.Size);
        Assert.Equal("dir/ä b.bin", payload.RelativePath);
        Assert.Equal(ContentEncodings.Raw, payload.Encoding);
    }

    [Fact]
    public void FileSync_CompressibleContent_GoesBrotliCompressedAndDecompressesToTheSameBytes()
    {
        var content = System.Text.Encoding.UTF8.GetBytes(
            string.Concat(Enumerable.Repeat("line of text\n", 400))
        );
        var frame = SyncFrames.FileSync(
            WireFormat.MessagePack,
            MessageTypes.FileModifySync,
            Fields(s_hash, content.Length),
            content,
            compressContent: true
        )!;

        Assert.True(frame.Length < content.Length / 4);
        Assert.True(
            ProtocolMessage.TryParse(frame, WireFormat.MessagePack, out var message, out _)
        );
        Assert.True(message.TryReadPayload<IncomingFileSync>(out var payload, out _));
        Assert.Equal(ContentEncodings.Brotli, payload.Encoding);
        Assert.Equal(content.Length, payload.Size);
        Assert.True(
            ContentCompression.TryDecompress(
                payload.RawContent!.Value.Span,
                content.Length,
                out var restored
            )
        );
        Assert.Equal(content, restored);
        // Announcing a size other than the content's is refused both ways.
        Assert.False(
            ContentCompression.TryDecompress(
                payload.RawContent.Value.Span,
                content.Length - 1,
                out _
            )
        );
        Assert.False(
            ContentCompression.TryDecompress(
                payload.RawContent.Value.Span,
                content.Length + 1,
                out _
            )
        );
        Assert.False(
            ContentCompression.TryDecompress(payload.RawContent.Value.Span, long.MaxValue, out _)
        );
    }

    [Fact]
    public void FileSync_ContentCompressedByTheCaller_SentAsIsAndDecompressesToTheSameBytes()
    {
        var content = System.Text.Encoding.UTF8.GetBytes(
            string.Concat(Enumerable.Range(0, 3000).Select(i => $"line {i % 17}\n"))
        );
        var compressed = ContentCompression.TryCompress(content)!;

        var frame = SyncFrames.FileSync(
            WireFormat.MessagePack,
            MessageTypes.FileCreateSync,
            Fields(s_hash, content.Length),
            content,
            compressContent: true,
            compressed
        )!;

        Assert.True(frame.AsSpan().IndexOf(compressed) >= 0);
        Assert.True(
            ProtocolMessage.TryParse(frame, WireFormat.MessagePack, out var message, out _)
        );
        Assert.True(message.TryReadPayload<IncomingFileSync>(out var payload, out _));
        Assert.Equal(ContentEncodings.Brotli, payload.Encoding);
        Assert.Equal(content.Length, payload.Size);
        Assert.True(
            ContentCompression.TryDecompress(
                payload.RawContent!.Value.Span,
                content.Length,
                out var restored
            )
        );
        Assert.Equal(content, restored);
    }

    [Fact]
    public void FileSync_IncompressibleOrTinyContent_StaysRaw()
    {
        var noise = new byte[4096];
        new Random(3).NextBytes(noise);

        foreach (var content in new[] { noise, "tiny"u8.ToArray() })
        {
            var frame = SyncFrames.FileSync(
                WireFormat.MessagePack,
                MessageTypes.FileCreateSync,
                Fields(s_hash, content.Length),
                content,
                compressContent: true
            )!;
            Assert.True(
                ProtocolMessage.TryParse(frame, WireFormat.MessagePack, out var message, out _)
            );
            Assert.True(message.TryReadPayload<IncomingFileSync>(out var payload, out _));
            Assert.Equal(ContentEncodings.Raw, payload.Encoding);
            Assert.Equal(content, payload.RawContent!.Value.ToArray());
        }
    }

    [Fact]
    public void FileSync_Json_TextStaysTextAndBinaryGoesAsBase64()
    {
        var text = SyncFrames.FileSync(
            WireFormat.Json,
            MessageTypes.FileCreateSync,
            Fields(s_hash, 2),
            "hé"u8
        )!;
        var binary = SyncFrames.FileSync(
            WireFormat.Json,
            MessageTypes.FileCreateSync,
            Fields(s_hash, 2),
            [0xff, 0]
        )!;

        Assert.Contains("\"encoding\":\"utf8\"", Encoding.UTF8.GetString(text));
        Assert.Contains("\"content\":\"h\\u00E9\"", Encoding.UTF8.GetString(text));
        Assert.Contains("\"encoding\":\"base64\"", Encoding.UTF8.GetString(binary));
        Assert.Contains("\"content\":\"/wA=\"", Encoding.UTF8.GetString(binary));
    }

    [Fact]
    public void Manifest_HashesAsBytes_ReadBackAsLowercaseHex()
    {
        var frame = SyncFrames.Manifest(
            WireFormat.MessagePack,
            new ManifestPayload
            {
                Path = "/w",
                Files =
                [
                    new ManifestEntry("a.txt", s_hash, 1),
                    new ManifestEntry("b", "not-hex", 2),
                ],
                Chunk = 3,
                Last = false,
            }
        );

        Assert.True(
            ProtocolMessage.TryParse(frame, WireFormat.MessagePack, out var message, out _)
        );
        Assert.True(
            message.TryReadPayload<IncomingManifest>(out var manifest, out var error),
            error
        );
        Assert.Equal("/w", manifest.Path);
        Assert.Equal(3, manifest.Chunk);
        Assert.False(manifest.Last);
        Assert.Equal(s_hash, manifest.Files![0]!.Hash);
        Assert.Equal("not-hex", manifest.Files[1]!.Hash);
        // The JSON view of the same frame carries the hash bytes as base64.
        Assert.Equal(
            Convert.ToBase64String(Convert.FromHexString(s_hash)),
            message.Payload.GetProperty("files")[0].GetProperty("hash").GetString()
        );
    }

    [Fact]
    public void Encode_StringMessagePackCannotCarry_StaysJson()
    {
        var json = """{"type":"workspace:resync","payload":{"path":"\ud800"}}"""u8.ToArray();

        var format = ProtocolMessage.Encode(json, WireFormat.MessagePack, out var frame);

        Assert.Equal(WireFormat.Json, format);
        Assert.Equal(json, frame.ToArray());
    }

    [Fact]
    public void Peek_BothFormats_FindTheType()
    {
        var packed = ProtocolMessage.Serialize(
            MessageTypes.Resync,
            new WorkspacePathPayload { Path = "/w" },
            WireFormat.MessagePack
        );
        var json = ProtocolMessage.Serialize(
            MessageTypes.Resync,
            new WorkspacePathPayload { Path = "/w" }
        );

        Assert.Equal(MessageTypes.Resync, FrameType.Peek(packed, WireFormat.MessagePack));
        Assert.Equal(MessageTypes.Resync, FrameType.Peek(json, WireFormat.Json));
        Assert.Null(FrameType.Peek([0xc1], WireFormat.MessagePack));
        Assert.Null(FrameType.Peek(json, WireFormat.MessagePack));
    }

    [Fact]
    public void TryParse_EveryTruncationOfAValidFrame_RefusedWithAReasonNeverThrows()
    {
        var frame = SyncFrames.FileSync(
            WireFormat.MessagePack,
            MessageTypes.FileModifySync,
            Fields(s_hash, 5),
            "hello"u8
        )!;

        for (var length = 0; length < frame.Length; length++)
        {
            var ok = ProtocolMessage.TryParse(
                frame.AsMemory(0, length),
                WireFormat.MessagePack,
                out _,
                out var error
            );
            Assert.False(ok, $"a frame cut at {length} of {frame.Length} bytes was accepted");
            Assert.False(string.IsNullOrWhiteSpace(error));
        }
    }

    [Fact]
    public void TryParse_RandomBytes_NeverThrows()
    {
        var random = new Random(17);
        var accepted = 0;
        for (var i = 0; i < 100_000; i++)
        {
            var bytes = new byte[random.Next(0, 64)];
            random.NextBytes(bytes);
            if (random.Next(2) == 0 && bytes.Length > 0)
            {
                bytes[0] = 0x82; // a map of two: gets further into the parser
            }
            if (ProtocolMessage.TryParse(bytes, WireFormat.MessagePack, out var message, out _))
            {
                accepted++;
                _ = message.Payload.ValueKind; // the JSON view of anything accepted can be built
                _ = message.TryReadPayload<IncomingFileSync>(out _, out _);
                _ = message.TryReadPayload<IncomingManifest>(out _, out _);
                _ = message.TryReadPayload<ConfigUpdatePayload>(out _, out _);
            }
        }
        Assert.True(accepted < 100_000);
    }

    private static FileSyncPayload Fields(string hash, long size) =>
        new()
        {
            Path = "/w/dir/ä b.bin",
            Content = "",
            Encoding = "",
            EdgeId = "e",
            Workspace = "/w",
            RelativePath = "dir/ä b.bin",
            Hash = hash,
            Size = size,
        };
}
