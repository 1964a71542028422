namespace FileSync.Edge.Workspace;

/// <summary>
/// The garbage collector's own figures at one moment, for the debug log (the benchmark harness reads them
/// to break an initial sync's peak memory down): what its last collection left live, the part of it in
/// large objects (arrays of 85 KB and more: an index's tables, a file's content), what it keeps committed
/// and how much of that is free, and what has been allocated since start.
/// </summary>
internal readonly record struct GcHeapFigures(
    double HeapMegabytes,
    double LargeObjectMegabytes,
    double CommittedMegabytes,
    double FragmentedMegabytes,
    double AllocatedMegabytes,
    int Gen0Collections,
    int Gen1Collections,
    int Gen2Collections
)
{
    private const int LargeObjectGeneration = 3;
    private const double Megabyte = 1024 * 1024;

    public static GcHeapFigures Now()
    {
        var info = GC.GetGCMemoryInfo(GCKind.Any);
        var generations = info.GenerationInfo;
        var largeObjects =
            generations.Length > LargeObjectGeneration
                ? generations[LargeObjectGeneration].SizeAfterBytes
                : 0;
        return new GcHeapFigures(
            info.HeapSizeBytes / Megabyte,
            largeObjects / Megabyte,
            info.TotalCommittedBytes / Megabyte,
            info.FragmentedBytes / Megabyte,
            GC.GetTotalAllocatedBytes() / Megabyte,
            GC.CollectionCount(0),
            GC.CollectionCount(1),
            GC.CollectionCount(2)
        );
    }
}
