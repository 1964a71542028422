using System.Buffers;
using FileSync.Protocol;
using MessagePack;

namespace FileSync.Edge.Workspace;

/// <summary>
/// The persisted index, MessagePack written and read by hand (no serializer, no resolver: the agent is
/// Native AOT). One array: <c>["filesync-edge/index", version, root, algorithm, entries]</c>, where
/// algorithm is <see cref="ContentHash.Name"/> (<c>sha256</c> or <c>xxh128</c>), entries is an array of
/// <c>[path, size, mtime, ctime, fileId, recorded, hash]</c> and the hash is the raw digest bytes of
/// that algorithm (32 or 16). Reading treats the bytes as hostile: every count is checked against the bytes that
/// remain before anything is allocated for it, and every failure is a result, never an exception.
/// </summary>
internal static class WorkspaceIndexFormat
{
    /// <summary>
    /// 5: MessagePack with the hash algorithm and the secret guard's fingerprint in the header. 4 (no guard),
    /// 3 (SHA-256 only, no algorithm) and the JSON of 1 and 2 are no longer read: such an index is rebuilt by
    /// reading the files again, so the guard sees every file once.
    /// </summary>
    public const int Version = 5;

    public const string Magic = "filesync-edge/index";

    private const int HeaderFields = 6;
    private const int EntryFields = 7;
    private const int MaxHashBytes = 32;

    /// <summary>
    /// The fewest bytes one entry of <paramref name="algorithm"/> can take: its array header, an empty path
    /// (one byte), five integers of one byte each, and the hash (bin 8 header + the digest).
    /// </summary>
    private static int MinEntryBytes(ContentHash algorithm) => 1 + 1 + 5 + 2 + algorithm.ByteLength;

    /// <summary>
    /// Writes <paramref name="index"/>. An entry whose hash is not the hex of a digest of the index's
    /// algorithm (which the agent never produces) is left out: after a restart that file is read again.
    /// Returns the entries written.
    /// </summary>
    public static int Write(IBufferWriter<byte> output, string rootPath, WorkspaceIndex index)
    {
        var algorithm = index.Algorithm;
        var hash = new byte[algorithm.ByteLength];
        var writable = 0;
        foreach (var (_, entry) in index.Entries)
        {
            if (TryParseHash(entry.Hash, hash))
            {
                writable++;
            }
        }
        var writer = new MessagePackWriter(output);
        writer.WriteArrayHeader(HeaderFields);
        writer.Write(Magic);
        writer.Write(Version);
        writer.Write(rootPath);
        writer.Write(algorithm.Name);
        writer.Write(index.GuardFingerprint);
        writer.WriteArrayHeader(writable);
        var written = 0;
        foreach (var (path, entry) in index.Entries)
        {
            if (!TryParseHash(entry.Hash, hash))
            {
                continue;
            }
            writer.WriteArrayHeader(EntryFields);
            writer.Write(path);
            writer.Write(entry.Size);
            writer.Write(entry.MtimeTicks);
            writer.Write(entry.CtimeTicks);
            writer.Write(entry.FileId);
            writer.Write(entry.RecordedTicks);
            writer.Write(hash);
            written++;
        }
        writer.Flush();
        return written;
    }

    /// <summary>
    /// Reads an index of <paramref name="rootPath"/> from <paramref name="data"/> into
    /// <paramref name="index"/>. On any problem returns false with a reason and leaves the index empty.
    /// </summary>
    public static bool TryRead(
        ReadOnlyMemory<byte> data,
        string rootPath,
        WorkspaceIndex index,
        out string problem
    )
    {
        if (LooksLikeJson(data.Span))
        {
            problem = "is in the JSON format of an earlier version";
            return false;
        }
        try
        {
            var reader = new MessagePackReader(data);
            problem = ReadAll(ref reader, rootPath, index) ?? "";
        }
        catch (Exception ex)
            when (ex
                    is MessagePackSerializationException
                        or EndOfStreamException
                        or OverflowException
                        or ArgumentException
            )
        {
            problem = $"is corrupt ({ex.GetType().Name})";
        }
        if (problem.Length > 0)
        {
            index.Clear();
            return false;
        }
        return true;
    }

    /// <summary>Null when the whole index was read; else what is wrong with it.</summary>
    private static string? ReadAll(
        ref MessagePackReader reader,
        string rootPath,
        WorkspaceIndex index
    )
    {
        if (reader.NextMessagePackType != MessagePackType.Array)
        {
            return "is not an index file";
        }
        var fields = reader.ReadArrayHeader();
        if (fields < 2 || reader.NextMessagePackType != MessagePackType.String)
        {
            return "is not an index file";
        }
        if (reader.ReadString() != Magic)
        {
            return "is not an index file";
        }
        if (reader.NextMessagePackType != MessagePackType.Integer)
        {
            return "has no format version";
        }
        var version = reader.ReadInt64();
        if (version != Version)
        {
            return $"has format version {version}, this agent reads {Version}";
        }
        if (fields != HeaderFields)
        {
            return "is corrupt (header)";
        }
        if (reader.ReadString() != rootPath)
        {
            return "belongs to another workspace";
        }
        if (ContentHash.FromName(reader.ReadString()) is not { } algorithm)
        {
            return "holds hashes of an algorithm this agent does not know";
        }
        if (reader.ReadString() != index.GuardFingerprint)
        {
            return "was checked by other secret guard rules or allowed paths; its files are read again";
        }
        index.Algorithm = algorithm;
        var count = reader.ReadArrayHeader();
        if (count > Remaining(reader) / MinEntryBytes(algorithm))
        {
            return "is truncated or corrupt (more entries announced than it holds)";
        }
        for (var i = 0; i < count; i++)
        {
            if (reader.ReadArrayHeader() != EntryFields)
            {
                return "is corrupt (entry)";
            }
            var path = reader.ReadString();
            var size = reader.ReadInt64();
            var mtime = reader.ReadInt64();
            var ctime = reader.ReadInt64();
            var fileId = reader.ReadUInt64();
            var recorded = reader.ReadInt64();
            var hash = reader.ReadBytes();
            if (
                path is null
                || !IsPlausibleRelativePath(path)
                || size < 0
                || hash is not { } bytes
                || bytes.Length != algorithm.ByteLength
            )
            {
                return "holds an invalid entry";
            }
            index.Set(path, new FileEntry(size, mtime, ToHex(bytes), ctime, fileId, recorded));
        }
        return reader.End ? null : "is corrupt (bytes after the end)";
    }

    private static long Remaining(in MessagePackReader reader) =>
        reader.Sequence.Length - reader.Consumed;

    private static string ToHex(in ReadOnlySequence<byte> bytes)
    {
        if (bytes.IsSingleSegment)
        {
            return Convert.ToHexStringLower(bytes.FirstSpan);
        }
        Span<byte> copy = stackalloc byte[MaxHashBytes];
        bytes.CopyTo(copy);
        return Convert.ToHexStringLower(copy[..(int)bytes.Length]);
    }

    private static bool TryParseHash(string hex, Span<byte> destination) =>
        hex.Length == destination.Length * 2
        && Convert.FromHexString(hex, destination, out _, out var written) == OperationStatus.Done
        && written == destination.Length;

    /// <summary>A relative workspace path as the agent forms them: '/'-separated, no empty, '.' or '..' segment.</summary>
    private static bool IsPlausibleRelativePath(string path)
    {
        if (path.Length == 0 || path.Contains('\0', StringComparison.Ordinal))
        {
            return false;
        }
        foreach (var range in path.AsSpan().Split('/'))
        {
            var segment = path.AsSpan(range);
            if (segment.Length == 0 || segment is "." or "..")
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The index of versions 1 and 2: a JSON object (MessagePack never starts with '{' for an array).</summary>
    private static bool LooksLikeJson(ReadOnlySpan<byte> data)
    {
        var start = data.StartsWith("\uFEFF"u8) ? data[3..] : data;
        start = start.TrimStart(" \t\r\n"u8);
        return start.Length > 0 && start[0] == (byte)'{';
    }
}
