using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using MessagePack;

namespace FileSync.Protocol.MessagePack;

/// <summary>
/// Reads the bulk payloads of MessagePack frames straight into their records, without a detour
/// through JSON: <c>content</c> stays the frame's bytes, hashes (<c>bin</c>) become lowercase hex.
/// Every other payload is read through its JSON form.
/// </summary>
internal static class PackedPayloadReader
{
    public static bool Handles<T>() =>
        typeof(T) == typeof(IncomingFileSync) || typeof(T) == typeof(IncomingManifest);

    public static bool TryRead<T>(
        string type,
        ReadOnlyMemory<byte> payload,
        [NotNullWhen(true)] out T? value,
        out string error
    )
        where T : class
    {
        value = null;
        if (payload.IsEmpty)
        {
            error = $"'{type}' has no payload object";
            return false;
        }
        try
        {
            var reader = new MessagePackReader(payload);
            object? read =
                typeof(T) == typeof(IncomingFileSync)
                    ? ReadFileSync(ref reader, payload)
                    : ReadManifest(ref reader);
            value = (T)read;
            error = "";
            return true;
        }
        catch (Exception ex)
            when (ex
                    is InvalidPayloadException
                        or MessagePackSerializationException
                        or EndOfStreamException
                        or OverflowException
                        or ArgumentOutOfRangeException
            )
        {
            error = $"'{type}' payload is invalid: {ex.Message}";
            return false;
        }
    }

    private static IncomingFileSync ReadFileSync(
        ref MessagePackReader reader,
        ReadOnlyMemory<byte> payload
    )
    {
        string? path = null,
            content = null,
            edgeId = null,
            userId = null,
            workspace = null,
            relativePath = null,
            hash = null,
            encoding = null;
        ReadOnlyMemory<byte>? raw = null;
        long? size = null;
        var fields = reader.ReadMapHeader();
        for (var i = 0; i < fields; i++)
        {
            var key = MessagePackJson.ReadUtf8(ref reader);
            if (key.SequenceEqual("content"u8))
            {
                if (reader.NextMessagePackType == MessagePackType.Binary)
                {
                    // A slice of the frame itself: the payload is contiguous memory.
                    var length = (int)(reader.ReadBytes() ?? default).Length;
                    raw = payload.Slice((int)reader.Consumed - length, length);
                }
                else
                {
                    content = ReadString(ref reader, "content");
                }
            }
            else if (key.SequenceEqual("hash"u8))
            {
                hash = ReadHash(ref reader);
            }
            else if (key.SequenceEqual("size"u8))
            {
                size = reader.TryReadNil() ? null : ReadInteger(ref reader, "size");
            }
            else if (key.SequenceEqual("path"u8))
            {
                path = ReadString(ref reader, "path");
            }
            else if (key.SequenceEqual("edgeId"u8))
            {
                edgeId = ReadString(ref reader, "edgeId");
            }
            else if (key.SequenceEqual("userId"u8))
            {
                userId = ReadString(ref reader, "userId");
            }
            else if (key.SequenceEqual("workspace"u8))
            {
                workspace = ReadString(ref reader, "workspace");
            }
            else if (key.SequenceEqual("relativePath"u8))
            {
                relativePath = ReadString(ref reader, "relativePath");
            }
            else if (key.SequenceEqual("encoding"u8))
            {
                encoding = ReadString(ref reader, "encoding");
            }
            else
            {
                reader.Skip();
            }
        }
        return new IncomingFileSync
        {
            Path = path,
            Content = raw is null ? content : null,
            RawContent = raw,
            EdgeId = edgeId,
            UserId = userId,
            Workspace = workspace,
            RelativePath = relativePath,
            Hash = hash,
            Size = size,
            Encoding = encoding,
        };
    }

    private static IncomingManifest ReadManifest(ref MessagePackReader reader)
    {
        string? path = null,
            workspace = null,
            edgeId = null,
            userId = null;
        List<IncomingManifestEntry?>? files = null;
        int? chunk = null;
        bool? last = null;
        var fields = reader.ReadMapHeader();
        for (var i = 0; i < fields; i++)
        {
            var key = MessagePackJson.ReadUtf8(ref reader);
            if (key.SequenceEqual("files"u8))
            {
                if (reader.TryReadNil())
                {
                    continue;
                }
                if (reader.NextMessagePackType != MessagePackType.Array)
                {
                    throw new InvalidPayloadException("'files' is not an array");
                }
                var count = reader.ReadArrayHeader();
                files = new List<IncomingManifestEntry?>(Math.Min(count, 4096));
                for (var f = 0; f < count; f++)
                {
                    files.Add(reader.TryReadNil() ? null : ReadManifestEntry(ref reader));
                }
            }
            else if (key.SequenceEqual("path"u8))
            {
                path = ReadString(ref reader, "path");
            }
            else if (key.SequenceEqual("workspace"u8))
            {
                workspace = ReadString(ref reader, "workspace");
            }
            else if (key.SequenceEqual("edgeId"u8))
            {
                edgeId = ReadString(ref reader, "edgeId");
            }
            else if (key.SequenceEqual("userId"u8))
            {
                userId = ReadString(ref reader, "userId");
            }
            else if (key.SequenceEqual("chunk"u8))
            {
                chunk = reader.TryReadNil() ? null : checked((int)ReadInteger(ref reader, "chunk"));
            }
            else if (key.SequenceEqual("last"u8))
            {
                if (reader.TryReadNil())
                {
                    continue;
                }
                if (reader.NextMessagePackType != MessagePackType.Boolean)
                {
                    throw new InvalidPayloadException("'last' is not a boolean");
                }
                last = reader.ReadBoolean();
            }
            else
            {
                reader.Skip();
            }
        }
        return new IncomingManifest
        {
            Path = path,
            Workspace = workspace,
            EdgeId = edgeId,
            UserId = userId,
            Files = files,
            Chunk = chunk,
            Last = last,
        };
    }

    private static IncomingManifestEntry ReadManifestEntry(ref MessagePackReader reader)
    {
        if (reader.NextMessagePackType != MessagePackType.Map)
        {
            throw new InvalidPayloadException("a 'files' entry is not a map");
        }
        string? relativePath = null,
            hash = null;
        long? size = null;
        var fields = reader.ReadMapHeader();
        for (var i = 0; i < fields; i++)
        {
            var key = MessagePackJson.ReadUtf8(ref reader);
            if (key.SequenceEqual("relativePath"u8))
            {
                relativePath = ReadString(ref reader, "relativePath");
            }
            else if (key.SequenceEqual("hash"u8))
            {
                hash = ReadHash(ref reader);
            }
            else if (key.SequenceEqual("size"u8))
            {
                size = reader.TryReadNil() ? null : ReadInteger(ref reader, "size");
            }
            else
            {
                reader.Skip();
            }
        }
        return new IncomingManifestEntry
        {
            RelativePath = relativePath,
            Hash = hash,
            Size = size,
        };
    }

    private static string? ReadString(ref MessagePackReader reader, string field)
    {
        if (reader.TryReadNil())
        {
            return null;
        }
        if (reader.NextMessagePackType != MessagePackType.String)
        {
            throw new InvalidPayloadException($"'{field}' is not a string");
        }
        return reader.ReadString();
    }

    /// <summary>A hash as bytes (<c>bin</c>, returned as lowercase hex) or as a hex string.</summary>
    private static string? ReadHash(ref MessagePackReader reader)
    {
        if (reader.NextMessagePackType == MessagePackType.Binary)
        {
            var bytes = reader.ReadBytes() ?? default;
            return bytes.IsSingleSegment
                ? Convert.ToHexStringLower(bytes.FirstSpan)
                : Convert.ToHexStringLower(bytes.ToArray());
        }
        return ReadString(ref reader, "hash");
    }

    private static long ReadInteger(ref MessagePackReader reader, string field)
    {
        if (reader.NextMessagePackType != MessagePackType.Integer)
        {
            throw new InvalidPayloadException($"'{field}' is not an integer");
        }
        return reader.ReadInt64();
    }

    /// <summary>A field of the wrong MessagePack type.</summary>
    private sealed class InvalidPayloadException(string message) : Exception(message);
}
