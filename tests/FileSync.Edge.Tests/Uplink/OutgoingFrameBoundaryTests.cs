using FileSync.Edge.Uplink;

namespace FileSync.Edge.Tests.Uplink;

public sealed class OutgoingFrameBoundaryTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(125)]
    [InlineData(126)]
    [InlineData(65_535)]
    [InlineData(65_536)]
    [InlineData(300_000)]
    public void AFrameWrittenByteByByte_IsWholeOnlyAtItsLastByte(int payload)
    {
        var frame = Frame(payload, masked: true);
        var boundary = new OutgoingFrameBoundary();
        for (var i = 0; i < frame.Length; i++)
        {
            Assert.True(boundary.AtBoundary == (i == 0), $"at byte {i} of {frame.Length}");
            boundary.Consume(frame.AsSpan(i, 1));
        }
        Assert.True(boundary.AtBoundary);
    }

    [Fact]
    public void SeveralFramesInOneWrite_AndOneFrameAcrossWrites()
    {
        var frames = Frame(10, masked: true)
            .Concat(Frame(70_000, masked: false))
            .Concat(Frame(0, masked: true))
            .ToArray();
        var boundary = new OutgoingFrameBoundary();

        boundary.Consume(frames.AsSpan(0, 20));
        Assert.False(boundary.AtBoundary);
        boundary.Consume(frames.AsSpan(20, frames.Length - 21));
        Assert.False(boundary.AtBoundary);
        boundary.Consume(frames.AsSpan(frames.Length - 1));
        Assert.True(boundary.AtBoundary);
    }

    private static byte[] Frame(int payload, bool masked)
    {
        var header = new List<byte> { 0x82 };
        var mask = masked ? (byte)0x80 : (byte)0;
        if (payload < 126)
        {
            header.Add((byte)(mask | payload));
        }
        else if (payload <= ushort.MaxValue)
        {
            header.AddRange([(byte)(mask | 126), (byte)(payload >> 8), (byte)payload]);
        }
        else
        {
            header.Add((byte)(mask | 127));
            header.AddRange(BitConverter.GetBytes((ulong)payload).Reverse());
        }
        if (masked)
        {
            header.AddRange([9, 8, 7, 6]);
        }
        return [.. header, .. new byte[payload]];
    }
}
