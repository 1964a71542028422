namespace FileSync.Edge.Workspace;

/// <summary>
/// Gives memory back to the OS when the agent goes idle. A sync reads every file into a buffer, turns
/// it into a message and drops both: the garbage collector keeps the heap it grew for that (some
/// 60 MB after syncing 27 MB of files) although the agent then sits idle for hours. Once enough
/// content has gone through and the workspace is idle, one compacting collection returns it. The first
/// time the agent is idle, and after each such collection, the code pages start-up and the burst
/// faulted in are handed back too (<see cref="ResidentCodePages"/>, Linux), and so are the pages
/// native code freed (<see cref="NativeHeap"/>, glibc). One per agent (a
/// singleton), shared by all its workspaces; thread-safe.
/// </summary>
public sealed class MemoryTrimmer
{
    /// <summary>Content read since the last trim, over all workspaces, that makes a trim worth it.</summary>
    private const long Threshold = 8 * 1024 * 1024;

    private long _bytesSinceTrim;
    private int _codePagesReleased;

    /// <summary>Counts content that was read (and is garbage once sent).</summary>
    public void Read(long bytes) => Interlocked.Add(ref _bytesSinceTrim, bytes);

    /// <summary>Called by an idle workspace: trims when enough content went through since the last trim.</summary>
    public void TrimIfWorthIt()
    {
        if (Interlocked.Read(ref _bytesSinceTrim) >= Threshold)
        {
            Interlocked.Exchange(ref _bytesSinceTrim, 0);
            // Aggressive: compacts and decommits the freed segments, so the resident set shrinks too.
            GC.Collect(
                GC.MaxGeneration,
                GCCollectionMode.Aggressive,
                blocking: true,
                compacting: true
            );
            Volatile.Write(ref _codePagesReleased, 0);
        }
        if (OperatingSystem.IsLinux() && Interlocked.Exchange(ref _codePagesReleased, 1) == 0)
        {
            ResidentCodePages.Release();
            NativeHeap.Trim();
        }
    }
}
