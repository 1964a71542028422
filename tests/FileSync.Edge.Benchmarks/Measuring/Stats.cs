namespace FileSync.Edge.Benchmarks.Measuring;

internal static class Stats
{
    /// <summary>Nearest-rank percentile (p in 0–100) of unsorted values; NaN when empty.</summary>
    public static double Percentile(IReadOnlyCollection<double> values, double p)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }
        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(p / 100 * sorted.Length);
        return sorted[Math.Clamp(rank, 1, sorted.Length) - 1];
    }

    /// <summary>Median (mean of the two middle values for an even count); NaN when empty or all NaN.</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Where(v => !double.IsNaN(v)).Order().ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}

/// <summary>Latency percentiles of one run, in milliseconds.</summary>
internal sealed record LatencySummary(
    int Count,
    double P50,
    double P90,
    double P99,
    double Max,
    int Lost
)
{
    public static LatencySummary From(IReadOnlyCollection<double> milliseconds, int lost) =>
        new(
            milliseconds.Count,
            Stats.Percentile(milliseconds, 50),
            Stats.Percentile(milliseconds, 90),
            Stats.Percentile(milliseconds, 99),
            milliseconds.Count == 0 ? double.NaN : milliseconds.Max(),
            lost
        );
}
