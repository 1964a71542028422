using System.Globalization;
using System.Text;
using FileSync.Edge.Benchmarks.Measuring;

namespace FileSync.Edge.Benchmarks.ManyEdges;

/// <summary>The markdown report of the many-edges measurement.</summary>
internal static class ManyEdgesReport
{
    public static string Build(
        BenchmarkOptions options,
        IReadOnlyList<ManyEdgesResult> results,
        IReadOnlyList<string> notes,
        DateTimeOffset started
    )
    {
        var text = new StringBuilder();
        text.AppendLine(
                CultureInfo.InvariantCulture,
                $"# Many edges against one server — {started:yyyy-MM-dd HH:mm} UTC"
            )
            .AppendLine()
            .AppendLine(
                CultureInfo.InvariantCulture,
                $"Real `filesync-edge` processes (one identity, config and state folder each), each with its own workspace of {options.EdgeFiles} text files (1–4 KB), started at once against one `filesync-server` process on loopback; then {options.EdgeEdits} live edits spread round-robin over the edges, 50 ms apart. {Environment.ProcessorCount} cores; work folder `{options.WorkDirectory}`."
            )
            .AppendLine()
            .AppendLine(
                "| edges | all converged (s) | server CPU while syncing (% of a core / CPU s) | server CPU during edits (%) | server peak RSS (MB) | server fds (peak) | edit p50 / p99 / max (ms) | edits lost | admin API during sync p50 / p99 / max (ms) | admin API during edits p99 (ms) |"
            )
            .AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            text.AppendLine(
                CultureInfo.InvariantCulture,
                $"| {r.Edges} | {r.ConvergedSeconds:F1} | {r.SyncCpuPercent:F0} / {r.SyncCpuSeconds:F1} | {r.EditCpuPercent:F0} | {r.PeakRssBytes / 1e6:F0} | {r.PeakFileDescriptors} | {Ms(r.Edit.P50)} / {Ms(r.Edit.P99)} / {Ms(r.Edit.Max)} | {r.Edit.Lost} | {Ms(r.AdminDuringSync.P50)} / {Ms(r.AdminDuringSync.P99)} / {Ms(r.AdminDuringSync.Max)} | {Ms(r.AdminDuringEdits.P99)} |"
            );
        }
        if (notes.Count > 0)
        {
            text.AppendLine();
            foreach (var note in notes)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"- {note}");
            }
        }
        return text.ToString();
    }

    private static string Ms(double value) =>
        double.IsNaN(value) ? "–" : value.ToString("F0", CultureInfo.InvariantCulture);
}
