using FileSync.Edge.Benchmarks.Measuring;

namespace FileSync.Edge.Benchmarks.ManyEdges;

/// <summary>The figures of one edge count.</summary>
internal sealed record ManyEdgesResult(
    int Edges,
    double ConvergedSeconds,
    double SyncCpuPercent,
    double SyncCpuSeconds,
    double EditCpuPercent,
    long PeakRssBytes,
    long ConvergedRssBytes,
    int PeakFileDescriptors,
    LatencySummary Edit,
    LatencySummary AdminDuringSync,
    LatencySummary AdminDuringEdits,
    int PollingAgents
);
