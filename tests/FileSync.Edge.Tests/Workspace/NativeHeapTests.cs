using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using FileSync.Edge.Tests.Infrastructure;
using FileSync.Edge.Workspace;

namespace FileSync.Edge.Tests.Workspace;

/// <summary>
/// Runs alone: any other test whose workspace goes idle trims the same C heap (and the blocks freed here
/// could be handed back by that trim, or reused by another thread), which would blur what this one measures.
/// </summary>
[CollectionDefinition(nameof(NativeHeapTests), DisableParallelization = true)]
public sealed class NativeHeapTestsCollection;

[SupportedOSPlatform("linux")]
[Collection(nameof(NativeHeapTests))]
public sealed class NativeHeapTests
{
    private const int Blocks = 256;
    private const int BlockBytes = 64 * 1024;
    private const int PageBytes = 4096;

    private static readonly byte[] s_onePage = new byte[1];

    [LinuxFact("malloc_trim is glibc's, and residency comes from mincore (Linux)")]
    public void Trim_HandsBackTheFreedPagesThatStayInsideAnArena()
    {
        // Another thread of the test run may trim the heap between the free and the measure (a workspace
        // of another test going idle); such a round measures nothing and is done again.
        var rounds = new List<string>();
        for (var round = 0; round < 5; round++)
        {
            var (before, after, trimmed) = FreeThenTrim();
            Assert.True(trimmed, "malloc_trim is not in this C library");
            rounds.Add($"{before:P0} → {after:P0}");
            if (before > 0.9)
            {
                Assert.True(
                    after < 0.25,
                    $"{after:P0} of the freed pages are still resident after the trim ({before:P0} before)"
                );
                return;
            }
        }
        Assert.Fail(
            "every round found the freed pages already handed back before the trim (resident before → after: "
                + string.Join(", ", rounds)
                + ")"
        );
    }

    private static (double Before, double After, bool Trimmed) FreeThenTrim()
    {
        // Every other block freed, its neighbours kept: the freed ones cannot merge with each other or into
        // the arena's top, so free() keeps their pages, as it keeps what Brotli's and OpenSSL's buffers held.
        var blocks = new nint[2 * Blocks];
        var ones = new byte[BlockBytes];
        Array.Fill(ones, (byte)1);
        for (var i = 0; i < blocks.Length; i++)
        {
            blocks[i] = Marshal.AllocHGlobal(BlockBytes);
            Marshal.Copy(ones, 0, blocks[i], BlockBytes);
        }
        var freed = blocks.Where((_, i) => i % 2 == 1).ToArray();
        try
        {
            foreach (var block in freed)
            {
                Marshal.FreeHGlobal(block);
            }
            var before = ResidentShare(freed);
            var trimmed = NativeHeap.Trim();
            return (before, ResidentShare(freed), trimmed);
        }
        finally
        {
            for (var i = 0; i < blocks.Length; i += 2)
            {
                Marshal.FreeHGlobal(blocks[i]);
            }
        }
    }

    /// <summary>The share of the whole pages inside the blocks that are resident.</summary>
    private static double ResidentShare(nint[] blocks)
    {
        long pages = 0;
        long resident = 0;
        var vector = new byte[BlockBytes / PageBytes];
        foreach (var block in blocks)
        {
            // Past the chunk's bookkeeping at the start, whole pages only.
            var start = (block + 64 + PageBytes - 1) & ~(nint)(PageBytes - 1);
            var end = (block + BlockBytes) & ~(nint)(PageBytes - 1);
            var count = (int)((end - start) / PageBytes);
            if (count <= 0)
            {
                continue;
            }
            if (Libc.Mincore(start, (nuint)(end - start), vector) != 0)
            {
                // Part of the range is no longer mapped at all (the heap shrank under it, seen once in CI):
                // asked page by page, an unmapped page fails and is not resident.
                for (var i = 0; i < count; i++)
                {
                    vector[i] =
                        Libc.Mincore(start + i * PageBytes, PageBytes, s_onePage) == 0
                            ? s_onePage[0]
                            : (byte)0;
                }
            }
            pages += count;
            for (var i = 0; i < count; i++)
            {
                resident += vector[i] & 1;
            }
        }
        return (double)resident / pages;
    }
}
