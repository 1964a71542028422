using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using FileSync.Edge.Benchmarks.Measuring;

namespace FileSync.Edge.Benchmarks.InProcess;

/// <summary>The markdown report of the in-process measures: one table per measure, medians, then every round.</summary>
internal static class InProcessReport
{
    private static readonly CultureInfo s_invariant = CultureInfo.InvariantCulture;

    /// <summary>Scan+hash must be at least this much faster with XxHash128 for it to pay (issue #17).</summary>
    private const double PaysFrom = 1.20;

    public static string Build(
        InProcessBenchmarks benchmarks,
        BenchmarkOptions options,
        DateTimeOffset startedAt,
        string? failure
    )
    {
        var m = benchmarks.Measurements;
        var text = new StringBuilder();
        text.AppendLine(Invariant($"### In-process measures, {startedAt:yyyy-MM-dd HH:mm} UTC"));
        text.AppendLine();
        text.AppendLine($"- Machine: {Report.DescribeMachine()}");
        text.AppendLine(
            Invariant(
                $"- Software: {RuntimeInformation.FrameworkDescription}, Release, {(Environment.GetEnvironmentVariable("DOTNET_TieredCompilation") == "0" ? "tiered compilation off (every method fully optimized from its first call, as Native AOT compiles the agent)" : "tiered compilation on")}; the agent's own code in the harness's process; scratch folder {options.WorkDirectory}"
            )
        );
        text.AppendLine(
            Invariant(
                $"- {options.Runs} round(s) after one untimed warm-up, the two variants alternating which goes first; every figure is the median over the rounds. Whole run: {benchmarks.Elapsed.TotalMinutes:F1} min."
            )
        );
        if (failure is not null)
        {
            text.AppendLine($"- The run stopped early: {failure}");
        }
        text.AppendLine();

        if (m.Has("index.msgpack.load.ms"))
        {
            text.AppendLine(
                Invariant(
                    $"**Persisted index of {m.Median("index.entries"):F0} entries**, saved (temp file, flush to disk, rename) and loaded into an empty index:"
                )
            );
            text.AppendLine();
            text.AppendLine(
                "| Measure | JSON (format 2) | MessagePack (format 3) | MessagePack / JSON |"
            );
            text.AppendLine("|---|---|---|---|");
            IndexRow(text, m, "save (ms)", "save.ms", 1, 1);
            IndexRow(text, m, "load (ms)", "load.ms", 1, 1);
            IndexRow(text, m, "file size (MB)", "bytes", 2, 1e6);
            IndexRow(text, m, "allocated by a load (MB)", "load.allocated", 1, 1e6);
            text.AppendLine();
        }

        if (m.Has("hash.sha256.scan.filesPerSecond"))
        {
            var sha = m.Median("hash.sha256.scan.filesPerSecond");
            var xxh = m.Median("hash.xxh128.scan.filesPerSecond");
            text.AppendLine(
                Invariant(
                    $"**Content hash on the scale workspace**, {m.Median("hash.files"):F0} files, {m.Median("hash.mb"):F0} MB: the agent's scan and read path on {Environment.ProcessorCount} threads, and the bare hash over the same bytes in memory:"
                )
            );
            text.AppendLine();
            text.AppendLine("| Measure | SHA-256 | XxHash128 | XxHash128 / SHA-256 |");
            text.AppendLine("|---|---|---|---|");
            HashRow(text, m, "scan+hash (files/s)", "scan.filesPerSecond", 0);
            HashRow(text, m, "scan+hash (s)", "scan.s", 3);
            HashRow(text, m, "hashing alone, 1 thread (MB/s)", "pure1.mbPerSecond", 0);
            HashRow(
                text,
                m,
                Invariant($"hashing alone, {Environment.ProcessorCount} threads (MB/s)"),
                "pureAll.mbPerSecond",
                0
            );
            text.AppendLine();
            var ratio = xxh / sha;
            text.AppendLine(
                Invariant(
                    $"XxHash128 makes scan+hash {(ratio - 1) * 100:F1} % faster: {(ratio >= PaysFrom ? "it pays" : "it does not pay")} (the threshold is {(PaysFrom - 1) * 100:F0} %)."
                )
            );
            text.AppendLine();
        }

        text.AppendLine("<details><summary>Every round</summary>");
        text.AppendLine();
        text.AppendLine("| Key | Median | Rounds |");
        text.AppendLine("|---|---|---|");
        foreach (var key in m.Keys)
        {
            text.AppendLine(
                $"| {key} | {Report.F(m.Median(key), 3)} | {string.Join(" · ", m.Values(key).Select(v => Report.F(v, 3)))} |"
            );
        }
        text.AppendLine();
        text.AppendLine("</details>");
        return text.ToString();
    }

    private static void IndexRow(
        StringBuilder text,
        Measurements m,
        string label,
        string key,
        int decimals,
        double unit
    )
    {
        var json = m.Median($"index.json.{key}") / unit;
        var msgpack = m.Median($"index.msgpack.{key}") / unit;
        text.AppendLine(
            $"| {label} | {Report.F(json, decimals)} | {Report.F(msgpack, decimals)} | {Report.Ratio(msgpack, json)} |"
        );
    }

    private static void HashRow(
        StringBuilder text,
        Measurements m,
        string label,
        string key,
        int decimals
    )
    {
        var sha = m.Median($"hash.sha256.{key}");
        var xxh = m.Median($"hash.xxh128.{key}");
        text.AppendLine(
            $"| {label} | {Report.F(sha, decimals)} | {Report.F(xxh, decimals)} | {Report.Ratio(xxh, sha)} |"
        );
    }

    private static string Invariant(FormattableString text) => text.ToString(s_invariant);
}
