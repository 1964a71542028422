using FileSync.Edge.Workspace;

namespace FileSync.Edge.Tests.Workspace;

/// <summary>The collector's figures the debug log carries after an initial sync (the harness breaks the peak down with them).</summary>
public sealed class GcHeapFiguresTests
{
    [Fact]
    public void Now_AfterAllocatingALargeObject_CountsItAndTheCollections()
    {
        var before = GcHeapFigures.Now();
        var kept = new byte[4 * 1024 * 1024];
        GC.Collect();

        var after = GcHeapFigures.Now();

        Assert.True(
            after.AllocatedMegabytes - before.AllocatedMegabytes >= 3.9,
            $"{before} -> {after}"
        );
        Assert.True(after.LargeObjectMegabytes >= 4, after.ToString());
        Assert.True(
            after.CommittedMegabytes >= after.HeapMegabytes - after.FragmentedMegabytes,
            after.ToString()
        );
        Assert.True(after.Gen2Collections > before.Gen2Collections, $"{before} -> {after}");
        GC.KeepAlive(kept);
    }
}
