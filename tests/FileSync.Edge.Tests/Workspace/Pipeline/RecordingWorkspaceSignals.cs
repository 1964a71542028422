using System.Collections.Concurrent;
using FileSync.Edge.Workspace.Pipeline;

namespace FileSync.Edge.Tests.Workspace.Pipeline;

/// <summary>Records what a stage signals, for tests that build a stage on its own.</summary>
internal sealed class RecordingWorkspaceSignals : IWorkspaceSignals
{
    public ConcurrentQueue<(string Path, bool Completed)> Dirty { get; } = new();
    public ConcurrentQueue<string> Problems { get; } = new();
    public int Rescans => _rescans;
    public int Wakes => _wakes;
    public int RootChanges => _rootChanges;
    public int RootMissings => _rootMissings;

    private int _rescans;
    private int _wakes;
    private int _rootChanges;
    private int _rootMissings;

    public void MarkDirty(string relativePath, bool completed) =>
        Dirty.Enqueue((relativePath, completed));

    public void RequestRescan() => Interlocked.Increment(ref _rescans);

    public void Wake() => Interlocked.Increment(ref _wakes);

    public void ReportProblem(string problem) => Problems.Enqueue(problem);

    public void RootChanged() => Interlocked.Increment(ref _rootChanges);

    public void RootMissing() => Interlocked.Increment(ref _rootMissings);
}
