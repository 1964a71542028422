namespace FileSync.Edge.Benchmarks.Measuring;

/// <summary>Every figure of a benchmark run, by key, one value per run (round) in the order measured.</summary>
internal sealed class Measurements
{
    private readonly Dictionary<string, List<double>> _values = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    public void Add(string key, double value)
    {
        if (!_values.TryGetValue(key, out var list))
        {
            list = [];
            _values[key] = list;
            _order.Add(key);
        }
        list.Add(value);
    }

    public void AddLatency(string key, LatencySummary summary)
    {
        Add($"{key}.p50", summary.P50);
        Add($"{key}.p90", summary.P90);
        Add($"{key}.p99", summary.P99);
        Add($"{key}.max", summary.Max);
        Add($"{key}.count", summary.Count);
        Add($"{key}.lost", summary.Lost);
    }

    public bool Has(string key) => _values.ContainsKey(key);

    public IReadOnlyList<double> Values(string key) =>
        _values.TryGetValue(key, out var list) ? list : [];

    /// <summary>Median over runs; NaN when never measured.</summary>
    public double Median(string key) => Stats.Median(Values(key));

    public double Sum(string key) => Values(key).Sum();

    public IReadOnlyList<string> Keys => _order;
}
