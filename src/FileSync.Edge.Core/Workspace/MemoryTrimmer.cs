namespace FileSync.Edge.Workspace;

/// <summary>
/// Gives memory back to the OS after a burst of reading. A sync reads every file into a buffer, turns
/// it into a message and drops both: the garbage collector keeps the heap it grew for that (some
/// 60 MB after syncing 27 MB of files) although the agent then sits idle for hours. Once enough
/// content has gone through and the workspace is idle, one compacting collection returns it.
/// </summary>
internal static class MemoryTrimmer
{
    /// <summary>Content read since the last trim, over all workspaces, that makes a trim worth it.</summary>
    private const long Threshold = 8 * 1024 * 1024;

    private static long s_bytesSinceTrim;

    /// <summary>Counts content that was read (and is garbage once sent).</summary>
    public static void Read(long bytes) => Interlocked.Add(ref s_bytesSinceTrim, bytes);

    /// <summary>Called by an idle workspace: trims when enough content went through since the last trim.</summary>
    public static void TrimIfWorthIt()
    {
        if (Interlocked.Read(ref s_bytesSinceTrim) < Threshold)
        {
            return;
        }
        Interlocked.Exchange(ref s_bytesSinceTrim, 0);
        // Aggressive: compacts and decommits the freed segments, so the resident set shrinks too.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }
}
