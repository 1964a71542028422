using System.Buffers;
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
        var buffer = ArrayPool<byte>.Shared.Rent(MaxCompressedLength(content.Length));
        try
        {
            return TryCompress(content, buffer, out var written) ? buffer[..written] : null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The most bytes <paramref name="length"/> bytes of content can compress to.</summary>
    public static int MaxCompressedLength(int length) =>
        BrotliEncoder.GetMaxCompressedLength(length);

    /// <summary>
    /// Compresses into <paramref name="destination"/> (at least <see cref="MaxCompressedLength"/> long);
    /// false when the content is too short to be worth it or would not get at least a tenth smaller.
    /// </summary>
    public static bool TryCompress(
        ReadOnlySpan<byte> content,
        Span<byte> destination,
        out int written
    )
    {
        written = 0;
        return content.Length >= MinimumBytes
            && BrotliEncoder.TryCompress(
                content,
                destination,
                out written,
                Quality,
                WindowBits(content.Length)
            )
            && written <= content.Length - content.Length / 10;
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
        // Exactly the announced size: a stream that decodes further does not fit and is refused, not cut.
        var buffer = new byte[size];
        if (!BrotliDecoder.TryDecompress(compressed, buffer, out var written) || written != size)
        {
            return false;
        }
        content = buffer;
        return true;
    }
}
