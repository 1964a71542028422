using System.IO.Hashing;
using System.Security.Cryptography;

namespace FileSync.Protocol;

/// <summary>
/// The hash of a file's content as both ends compute it: SHA-256, or XxHash128 on a connection where the
/// server announced <see cref="Capabilities.XxHash128"/>. On the wire and in logs it is lowercase hex of
/// the digest's bytes; for XxHash128 those are the bytes <see cref="System.IO.Hashing.XxHash128.Hash(ReadOnlySpan{byte})"/>
/// returns (seed 0, the canonical big-endian form), so 32 hex digits.
/// </summary>
public sealed class ContentHash
{
    /// <summary>SHA-256, the protocol's hash without the capability (64 hex digits).</summary>
    public static ContentHash Sha256 { get; } = new("sha256", SHA256.HashSizeInBytes);

    /// <summary>XxHash128, seed 0 (32 hex digits). Not cryptographic: it detects change, it does not authenticate.</summary>
    public static ContentHash XxHash128 { get; } = new(Capabilities.XxHash128, 16);

    private ContentHash(string name, int byteLength)
    {
        Name = name;
        ByteLength = byteLength;
    }

    /// <summary><c>sha256</c> or <c>xxh128</c> (the capability's name).</summary>
    public string Name { get; }

    /// <summary>The digest's size in bytes (32 or 16); its hex form is twice as long.</summary>
    public int ByteLength { get; }

    /// <summary>The algorithm of a connection whose server announced <paramref name="capabilities"/>.</summary>
    public static ContentHash For(IEnumerable<string>? capabilities) =>
        capabilities?.Contains(Capabilities.XxHash128, StringComparer.Ordinal) == true
            ? XxHash128
            : Sha256;

    /// <summary>The algorithm named <paramref name="name"/>, or null for a name this version does not know.</summary>
    public static ContentHash? FromName(string? name) =>
        name == Sha256.Name ? Sha256
        : name == XxHash128.Name ? XxHash128
        : null;

    /// <summary>The digest of <paramref name="content"/> as lowercase hex.</summary>
    public string Compute(ReadOnlySpan<byte> content)
    {
        Span<byte> digest = stackalloc byte[ByteLength];
        Compute(content, digest);
        return Convert.ToHexStringLower(digest);
    }

    /// <summary>Writes the digest of <paramref name="content"/> into <paramref name="destination"/> (<see cref="ByteLength"/> bytes).</summary>
    public void Compute(ReadOnlySpan<byte> content, Span<byte> destination)
    {
        if (ReferenceEquals(this, XxHash128))
        {
            System.IO.Hashing.XxHash128.Hash(content, destination);
        }
        else
        {
            SHA256.HashData(content, destination);
        }
    }

    /// <summary>The digest of everything <paramref name="stream"/> yields, as lowercase hex.</summary>
    public string Compute(Stream stream)
    {
        if (ReferenceEquals(this, XxHash128))
        {
            var hasher = new System.IO.Hashing.XxHash128();
            hasher.Append(stream);
            return Convert.ToHexStringLower(hasher.GetCurrentHash());
        }
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>Whether <paramref name="hex"/> has this algorithm's length (hex digits only are not checked here).</summary>
    public bool HasLength(string? hex) => hex?.Length == ByteLength * 2;

    public override string ToString() => Name;
}
