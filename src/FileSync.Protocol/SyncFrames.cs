using System.Buffers;
using System.Text;
using System.Text.Unicode;
using FileSync.Protocol.MessagePack;

namespace FileSync.Protocol;

/// <summary>
/// The two frames that carry bulk data, in either wire format: file content and the manifest. In
/// MessagePack, content and hashes are bytes; in JSON, content is UTF-8 text when it can be, else base64.
/// </summary>
public static class SyncFrames
{
    /// <summary>
    /// A <c>file_create_sync</c> / <c>file_modify_sync</c> frame, or null when it cannot fit into one
    /// frame of <see cref="ProtocolMessage.MaxFrameBytes"/> (JSON text full of characters that must be
    /// escaped can grow six-fold; such text goes as base64 instead, which grows by a third).
    /// <see cref="FileSyncPayload.Content"/> and <see cref="FileSyncPayload.Encoding"/> of
    /// <paramref name="fields"/> are ignored: <paramref name="content"/> decides them.
    /// </summary>
    /// <param name="compressContent">
    /// MessagePack only: send the content Brotli-compressed (<see cref="ContentEncodings.Brotli"/>) when
    /// that makes it at least a tenth smaller.
    /// </param>
    /// <param name="compressed">
    /// With <paramref name="compressContent"/>: <paramref name="content"/> already compressed by the caller
    /// (<see cref="ContentCompression.TryCompress(ReadOnlySpan{byte})"/>), sent as is; null: compressed here.
    /// </param>
    public static byte[]? FileSync(
        WireFormat format,
        string type,
        FileSyncPayload fields,
        ReadOnlySpan<byte> content,
        bool compressContent = false,
        byte[]? compressed = null
    )
    {
        if (format == WireFormat.MessagePack)
        {
            var packed =
                compressContent && compressed is not null
                    ? PackedFileSync(
                        type,
                        fields,
                        compressed,
                        ContentEncodings.Brotli,
                        content.Length
                    )
                : compressContent ? CompressedFileSync(type, fields, content)
                : PackedFileSync(type, fields, content, ContentEncodings.Raw, content.Length);
            return packed.Length <= ProtocolMessage.MaxFrameBytes ? packed : null;
        }
        if (Utf8.IsValid(content))
        {
            var text = ProtocolMessage.Serialize(
                type,
                fields with
                {
                    Content = Encoding.UTF8.GetString(content),
                    Encoding = ContentEncodings.Utf8,
                }
            );
            if (text.Length <= ProtocolMessage.MaxFrameBytes)
            {
                return text;
            }
        }
        var base64 = ProtocolMessage.Serialize(
            type,
            fields with
            {
                Content = Convert.ToBase64String(content),
                Encoding = ContentEncodings.Base64,
            }
        );
        return base64.Length <= ProtocolMessage.MaxFrameBytes ? base64 : null;
    }

    /// <summary>One chunk of <c>workspace:manifest</c>.</summary>
    public static byte[] Manifest(WireFormat format, ManifestPayload manifest)
    {
        if (format == WireFormat.Json)
        {
            return ProtocolMessage.Serialize(MessageTypes.Manifest, manifest);
        }
        var buffer = new ArrayBufferWriter<byte>(64 + manifest.Files.Count * 64);
        var fields = 4 + (manifest.EdgeId is null ? 0 : 1) + (manifest.UserId is null ? 0 : 1);
        var writer = PackedWriter.Start(buffer, MessageTypes.Manifest, fields);
        writer.Write("path");
        writer.Write(manifest.Path);
        PackedWriter.WriteOptional(ref writer, "edgeId", manifest.EdgeId);
        PackedWriter.WriteOptional(ref writer, "userId", manifest.UserId);
        writer.Write("files");
        writer.WriteArrayHeader(manifest.Files.Count);
        foreach (var file in manifest.Files)
        {
            writer.WriteMapHeader(3);
            writer.Write("relativePath");
            writer.Write(file.RelativePath);
            writer.Write("hash");
            PackedWriter.WriteHash(ref writer, file.Hash);
            writer.Write("size");
            writer.Write(file.Size);
        }
        writer.Write("chunk");
        writer.Write(manifest.Chunk);
        writer.Write("last");
        writer.Write(manifest.Last);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// The frame with its content compressed when that pays, else raw. The compressed bytes go into a
    /// pooled buffer and from there straight into the frame: the frame is the only copy allocated.
    /// </summary>
    private static byte[] CompressedFileSync(
        string type,
        FileSyncPayload fields,
        ReadOnlySpan<byte> content
    )
    {
        if (content.Length < ContentCompression.MinimumBytes)
        {
            return PackedFileSync(type, fields, content, ContentEncodings.Raw, content.Length);
        }
        var compressed = ArrayPool<byte>.Shared.Rent(
            ContentCompression.MaxCompressedLength(content.Length)
        );
        try
        {
            return ContentCompression.TryCompress(content, compressed, out var written)
                ? PackedFileSync(
                    type,
                    fields,
                    compressed.AsSpan(0, written),
                    ContentEncodings.Brotli,
                    content.Length
                )
                : PackedFileSync(type, fields, content, ContentEncodings.Raw, content.Length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(compressed);
        }
    }

    /// <summary>
    /// Frames are built on one thread at a time per thread: each thread packs into its own writer, kept
    /// between frames, and only the finished frame is allocated.
    /// </summary>
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_frameWriter;

    /// <summary>Largest frame writer a thread keeps between frames.</summary>
    private const int KeptWriterBytes = 1024 * 1024;

    private static byte[] PackedFileSync(
        string type,
        FileSyncPayload fields,
        ReadOnlySpan<byte> content,
        string encoding,
        long size
    )
    {
        var buffer = t_frameWriter ??= new ArrayBufferWriter<byte>(16 * 1024);
        buffer.ResetWrittenCount();
        var count = 7 + (fields.EdgeId is null ? 0 : 1) + (fields.UserId is null ? 0 : 1);
        var writer = PackedWriter.Start(buffer, type, count);
        writer.Write("path");
        writer.Write(fields.Path);
        writer.Write("content");
        writer.Write(content);
        PackedWriter.WriteOptional(ref writer, "edgeId", fields.EdgeId);
        PackedWriter.WriteOptional(ref writer, "userId", fields.UserId);
        writer.Write("workspace");
        writer.Write(fields.Workspace);
        writer.Write("relativePath");
        writer.Write(fields.RelativePath);
        writer.Write("hash");
        PackedWriter.WriteHash(ref writer, fields.Hash);
        writer.Write("size");
        writer.Write(size);
        writer.Write("encoding");
        writer.Write(encoding);
        writer.Flush();
        var frame = buffer.WrittenSpan.ToArray();
        if (buffer.Capacity > KeptWriterBytes)
        {
            // An unusually large file (a raised size limit): its writer is not kept.
            t_frameWriter = null;
        }
        return frame;
    }
}
