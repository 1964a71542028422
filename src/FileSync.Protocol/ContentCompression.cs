using System.IO.Compression;

namespace FileSync.Protocol;

/// <summary>
/// File content compressed by the sender itself (MessagePack frames, <c>encoding: "br"</c>): Brotli at
/// quality 1, about five times faster than the deflate of permessage-deflate for a similar size
/// (README.md, "Binary frames"). Such frames are sent without permessage-deflate.
/// </summary>
public static class ContentCompression
{
    /// <summary>Content shorter than this is not worth compressing.</summary>
    public const int MinimumBytes = 256;

    /// <summary>Largest file a receiver decompresses (a bound against decompression bombs).</summary>
    public const int MaxDecompressedBytes = 64 * 1024 * 1024;

    private const int Quality = 1;

    /// <summary>The compressed bytes, or null when they would not be at least a tenth smaller.</summary>
    public static byte[]? TryCompress(ReadOnlySpan<byte> content)
    {
        if (content.Length < MinimumBytes)
        {
            return null;
        }
        var buffer = new byte[BrotliEncoder.GetMaxCompressedLength(content.Length)];
        if (
            !BrotliEncoder.TryCompress(
                content,
                buffer,
                out var written,
                Quality,
                WindowBits(content.Length)
            )
            || written > content.Length - content.Length / 10
        )
        {
            return null;
        }
        return buffer[..written];
    }

    /// <summary>The smallest window that holds the whole content (10–24 bits): the encoder's memory follows it.</summary>
    private static int WindowBits(int length) =>
        Math.Clamp(32 - System.Numerics.BitOperations.LeadingZeroCount((uint)length), 10, 24);

    /// <summary>
    /// Decompresses content that must be exactly <paramref name="size"/> bytes; false when it is not valid
    /// Brotli, decompresses to another size, or <paramref name="size"/> is over <see cref="MaxDecompressedBytes"/>.
    /// </summary>
    public static bool TryDecompress(ReadOnlySpan<byte> compressed, long size, out byte[] content)
    {
        content = [];
        if (size is < 0 or > MaxDecompressedBytes)
        {
            return false;
        }
        // One byte more than announced: a stream that decodes further is refused, not cut.
        var buffer = new byte[size + 1];
        if (!BrotliDecoder.TryDecompress(compressed, buffer, out var written) || written != size)
        {
            return false;
        }
        content = buffer[..written];
        return true;
    }
}
