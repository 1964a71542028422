using System.Globalization;
using System.Text;
using FileSync.Edge.Benchmarks.Measuring;

namespace FileSync.Edge.Benchmarks;

/// <summary>The wire table of the report: bytes per scenario and server CPU, per wire mode, with the targets of issue #17.</summary>
internal static class WireReport
{
    public static void Append(StringBuilder text, Measurements m, long contentBytes)
    {
        var modes = BenchmarkRunner
            .WireModes.Where(w => m.Has($"wire.{w.Key}.initial.bytes"))
            .ToList();
        if (modes.Count == 0)
        {
            return;
        }
        var baseline = $"wire.{modes[0].Key}";
        text.AppendLine(
            Invariant(
                $"**Bytes on the wire** (both directions, HTTP upgrade included, counted by a TCP relay; median of the rounds; the workspace's content is {contentBytes / 1e6:F2} MB). Ratios are against the first row, the wire before issue #17, measured in the same run."
            )
        );
        text.AppendLine();
        text.AppendLine(
            "| Wire | Initial sync: bytes | vs content | time (s, loopback) | Server CPU per initial sync (s) | Restart, nothing changed | Restart, 1 file changed | Reconnect, 1 file changed |"
        );
        text.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var mode in modes)
        {
            var key = $"wire.{mode.Key}";
            var initial = m.Median($"{key}.initial.bytes");
            var cpu = m.Median($"{key}.initial.serverCpu.s");
            text.AppendLine(
                Invariant(
                    $"| {mode.Label} | {initial / 1e6:F2} MB ({Ratio(initial, m.Median($"{baseline}.initial.bytes"))}) | {initial / contentBytes:F2}× | {m.Median($"{key}.initial.s"):F2} ({Ratio(m.Median($"{key}.initial.s"), m.Median($"{baseline}.initial.s"))}) | {cpu:F2} ({Ratio(cpu, m.Median($"{baseline}.initial.serverCpu.s"))}) | {Bytes(m.Median($"{key}.nochange.bytes"))} ({Ratio(m.Median($"{key}.nochange.bytes"), m.Median($"{baseline}.nochange.bytes"))}) | {Bytes(m.Median($"{key}.onechange.bytes"))} ({Ratio(m.Median($"{key}.onechange.bytes"), m.Median($"{baseline}.onechange.bytes"))}) | {Bytes(m.Median($"{key}.reconnect.bytes"))} ({Ratio(m.Median($"{key}.reconnect.bytes"), m.Median($"{baseline}.reconnect.bytes"))}) |"
                )
            );
        }
        text.AppendLine();
        var best = $"wire.{modes[^1].Key}";
        text.AppendLine(
            Invariant(
                $"Targets (#17) for the default ({modes[^1].Label}): initial sync ≤ 0.4× content: {m.Median($"{best}.initial.bytes") / contentBytes:F2}× {Verdict(m.Median($"{best}.initial.bytes") / contentBytes <= 0.4)}; restart with one change ≤ 20 KB: {Bytes(m.Median($"{best}.onechange.bytes"))} {Verdict(m.Median($"{best}.onechange.bytes") <= 20_000)}; with no change ≤ 2 KB: {Bytes(m.Median($"{best}.nochange.bytes"))} {Verdict(m.Median($"{best}.nochange.bytes") <= 2_000)}; server CPU ≤ half of the first row's: {Ratio(m.Median($"{best}.initial.serverCpu.s"), m.Median($"{baseline}.initial.serverCpu.s"))} {Verdict(m.Median($"{best}.initial.serverCpu.s") <= 0.5 * m.Median($"{baseline}.initial.serverCpu.s"))}."
            )
        );
        text.AppendLine();
    }

    private static string Bytes(double value) =>
        value >= 10_000
            ? (value / 1000).ToString("F1", CultureInfo.InvariantCulture) + " KB"
            : value.ToString("F0", CultureInfo.InvariantCulture) + " B";

    private static string Ratio(double value, double baseline) =>
        baseline > 0 ? (value / baseline).ToString("F2", CultureInfo.InvariantCulture) + "×" : "–";

    private static string Verdict(bool met) => met ? "(met)" : "(missed)";

    private static string Invariant(FormattableString text) =>
        text.ToString(CultureInfo.InvariantCulture);
}
