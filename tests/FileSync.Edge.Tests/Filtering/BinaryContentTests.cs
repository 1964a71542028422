using System.Text;
using FileSync.Edge.Filtering;

namespace FileSync.Edge.Tests.Filtering;

public sealed class BinaryContentTests
{
    [Fact]
    public void SniffLength_IsEightKilobytes() => Assert.Equal(8192, BinaryContent.SniffLength);

    [Fact]
    public void LooksBinary_Empty_ReturnsFalse() => Assert.False(BinaryContent.LooksBinary([]));

    [Fact]
    public void LooksBinary_Utf8Text_ReturnsFalse()
    {
        var content = Encoding.UTF8.GetBytes("héllo\r\nwörld\t✓ 日本語\n");

        Assert.False(BinaryContent.LooksBinary(content));
    }

    [Fact]
    public void LooksBinary_NulAsFirstByte_ReturnsTrue() =>
        Assert.True(BinaryContent.LooksBinary([0, 65, 66]));

    [Fact]
    public void LooksBinary_NulAsLastSniffedByte_ReturnsTrue()
    {
        var content = Text(BinaryContent.SniffLength + 100);
        content[BinaryContent.SniffLength - 1] = 0;

        Assert.True(BinaryContent.LooksBinary(content));
    }

    [Fact]
    public void LooksBinary_NulOnlyAfterSniffLength_ReturnsFalse()
    {
        var content = Text(BinaryContent.SniffLength * 2);
        content[BinaryContent.SniffLength] = 0;
        content[^1] = 0;

        Assert.False(BinaryContent.LooksBinary(content));
    }

    [Fact]
    public void LooksBinary_OnlyTheHeadPassed_JudgesTheHead()
    {
        var content = Text(100);
        content[50] = 0;

        Assert.True(BinaryContent.LooksBinary(content.AsSpan(0, 60)));
        Assert.False(BinaryContent.LooksBinary(content.AsSpan(0, 50)));
    }

    [Fact]
    public void LooksBinary_Utf16Text_ReturnsTrue()
    {
        // UTF-16 ASCII text has a NUL in every other byte: git calls it binary too.
        var content = Encoding.Unicode.GetBytes("plain text");

        Assert.True(BinaryContent.LooksBinary(content));
    }

    [Fact]
    public void LooksBinary_PngHeader_ReturnsTrue()
    {
        byte[] png =
        [
            0x89,
            0x50,
            0x4E,
            0x47,
            0x0D,
            0x0A,
            0x1A,
            0x0A,
            0x00,
            0x00,
            0x00,
            0x0D,
            0x49,
            0x48,
            0x44,
            0x52,
        ];

        Assert.True(BinaryContent.LooksBinary(png));
    }

    [Fact]
    public void LooksBinary_HighBytesWithoutNul_ReturnsFalse()
    {
        // Latin-1 or invalid UTF-8 without NUL is not "binary" by this rule (git agrees).
        byte[] content = [0xE9, 0xFF, 0xFE, 0x80, 0x41];

        Assert.False(BinaryContent.LooksBinary(content));
    }

    private static byte[] Text(int length)
    {
        var content = new byte[length];
        content.AsSpan().Fill((byte)'a');
        return content;
    }
}
