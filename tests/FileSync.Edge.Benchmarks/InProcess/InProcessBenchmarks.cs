using System.Diagnostics;
using FileSync.Edge.Benchmarks.Measuring;

namespace FileSync.Edge.Benchmarks.InProcess;

/// <summary>
/// Measures that run the agent's own code in this process rather than the agent as a process
/// (<c>--index-only</c>, <c>--hash-only</c>): the persisted index's save and load, and the read path
/// with SHA-256 against XxHash128. Every figure is the median over <see cref="BenchmarkOptions.Runs"/>
/// rounds after one untimed warm-up; the variants alternate their order from round to round. Nothing
/// here asserts a time.
/// </summary>
internal sealed partial class InProcessBenchmarks(BenchmarkOptions options, TextWriter progress)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public Measurements Measurements { get; } = new();

    public TimeSpan Elapsed => _clock.Elapsed;

    public void Run()
    {
        var work = options.WorkDirectory;
        if (Directory.Exists(work))
        {
            Directory.Delete(work, recursive: true);
        }
        Directory.CreateDirectory(work);
        if (options.IndexOnly)
        {
            RunIndex(Path.Join(work, "index"));
        }
        if (options.HashOnly)
        {
            RunHash(Path.Join(work, "hash"));
        }
        Log($"done in {_clock.Elapsed.TotalMinutes:F1} min");
    }

    /// <summary>Wall time of <paramref name="action"/> in milliseconds, after a full collection so that no earlier garbage is billed to it.</summary>
    private static double TimeMs(Action action) => TimeMs(action, out _);

    private static double TimeMs(Action action, out long allocatedBytes)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var start = Stopwatch.GetTimestamp();
        action();
        var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        allocatedBytes = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        return elapsed;
    }

    private void Log(string message) =>
        progress.WriteLine($"[{_clock.Elapsed.TotalSeconds, 7:F1} s] {message}");
}
