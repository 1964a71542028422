using FileSync.Edge.Workspace.Pipeline;

namespace FileSync.Edge.Tests.Workspace.Pipeline;

/// <summary>The manifest pass's content cache: bounded, and it stops keeping at the first file that does not fit.</summary>
public sealed class HeldContentTests
{
    [Fact]
    public void WithinTheBudget_ContentIsKeptAndFound()
    {
        var held = new HeldContent();
        held.TryHold("a.txt", "h", [1, 2, 3]);
        Assert.True(held.HasRoom);
        Assert.True(held.TryGet("a.txt", out var hash, out var content));
        Assert.Equal("h", hash);
        Assert.Equal([1, 2, 3], content);
        Assert.False(held.TryGet("b.txt", out _, out _));
    }

    [Fact]
    public void AFileThatDoesNotFit_EndsTheKeeping_EvenForSmallerOnes()
    {
        var held = new HeldContent();
        held.TryHold("big.txt", "h", new byte[HeldContent.Budget + 1]);
        Assert.False(held.TryGet("big.txt", out _, out _));
        Assert.False(held.HasRoom); // later reads of the pass do not copy their content at all

        held.Clear();
        Assert.True(held.HasRoom);
    }

    [Fact]
    public void TheBudgetIsNeverExceeded()
    {
        var held = new HeldContent();
        var kept = 0L;
        for (var i = 0; held.HasRoom; i++)
        {
            held.TryHold($"{i}", "h", new byte[100_000]);
            if (held.TryGet($"{i}", out _, out var content))
            {
                kept += content.Length;
            }
        }
        Assert.InRange(kept, 1, HeldContent.Budget);
    }
}
