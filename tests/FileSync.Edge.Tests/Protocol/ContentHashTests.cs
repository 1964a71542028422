using System.Security.Cryptography;
using FileSync.Protocol;

namespace FileSync.Edge.Tests.Protocol;

/// <summary>The two content hashes as both ends compute them: pinned vectors, the hex form, the choice by capability.</summary>
public sealed class ContentHashTests
{
    [Theory]
    // XXH3-128, seed 0, in canonical (big-endian) form: the reference vectors of xxHash.
    [InlineData("", "99aa06d3014798d86001c324468d497f")]
    [InlineData("abc", "06b05ab6733a618578af5f94892f3950")]
    public void XxHash128_KnownInputs_PinnedLowercaseHex(string input, string expected)
    {
        var bytes = System.Text.Encoding.ASCII.GetBytes(input);

        Assert.Equal(expected, ContentHash.XxHash128.Compute(bytes));
        using var stream = new MemoryStream(bytes);
        Assert.Equal(expected, ContentHash.XxHash128.Compute(stream));
    }

    [Fact]
    public void Sha256_SameAsTheFrameworkAndFromAStreamToo()
    {
        var bytes = new byte[100_000];
        new Random(7).NextBytes(bytes);
        var expected = Convert.ToHexStringLower(SHA256.HashData(bytes));

        Assert.Equal(expected, ContentHash.Sha256.Compute(bytes));
        using var stream = new MemoryStream(bytes);
        Assert.Equal(expected, ContentHash.Sha256.Compute(stream));
    }

    [Fact]
    public void XxHash128_StreamOfManyBuffersEqualsOneShot()
    {
        var bytes = new byte[1_000_003];
        new Random(11).NextBytes(bytes);
        using var stream = new BufferedStream(new MemoryStream(bytes), 4096);

        Assert.Equal(ContentHash.XxHash128.Compute(bytes), ContentHash.XxHash128.Compute(stream));
    }

    [Fact]
    public void Lengths_32And16BytesHexTwiceAsLong()
    {
        Assert.Equal(32, ContentHash.Sha256.ByteLength);
        Assert.Equal(16, ContentHash.XxHash128.ByteLength);
        Assert.True(ContentHash.XxHash128.HasLength(ContentHash.XxHash128.Compute([1])));
        Assert.False(ContentHash.Sha256.HasLength(ContentHash.XxHash128.Compute([1])));
    }

    [Fact]
    public void For_Xxh128OnlyWhenAnnounced()
    {
        Assert.Same(ContentHash.Sha256, ContentHash.For(null));
        Assert.Same(ContentHash.Sha256, ContentHash.For([Capabilities.Manifest]));
        Assert.Same(ContentHash.Sha256, ContentHash.For(["XXH128", "xxh128 "]));
        Assert.Same(
            ContentHash.XxHash128,
            ContentHash.For([Capabilities.Manifest, Capabilities.XxHash128])
        );
    }

    [Fact]
    public void FromName_KnownNamesOnly()
    {
        Assert.Same(ContentHash.Sha256, ContentHash.FromName("sha256"));
        Assert.Same(ContentHash.XxHash128, ContentHash.FromName("xxh128"));
        Assert.Null(ContentHash.FromName("md5"));
        Assert.Null(ContentHash.FromName(null));
    }
}
