using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using FileSync.Edge.Benchmarks.Measuring;
using FileSync.Edge.Benchmarks.Processes;

namespace FileSync.Edge.Benchmarks;

/// <summary>Turns the measurements into the markdown report: machine, summary table with targets, breakdown, every run.</summary>
internal static class Report
{
    private static readonly CultureInfo s_invariant = CultureInfo.InvariantCulture;

    public static string Build(
        BenchmarkRunner runner,
        BenchmarkOptions options,
        DateTimeOffset startedAt
    )
    {
        var m = runner.Measurements;
        var text = new StringBuilder();
        var ws = runner.Workspace;
        text.AppendLine(Invariant($"### Benchmark results, {startedAt:yyyy-MM-dd HH:mm} UTC"));
        text.AppendLine();
        text.AppendLine($"- Machine: {DescribeMachine()}");
        text.AppendLine(
            $"- Software: {RuntimeInformation.FrameworkDescription}, {ToolVersion("rsync", "--version")}, {ToolVersion("lsyncd", "--version")}; agent: {BuildKind(options.AgentExecutable)}, reference server: {BuildKind(options.ServerExecutable)}; both run as processes, on 127.0.0.1"
        );
        text.AppendLine(
            Invariant(
                $"- Workspace (seed {options.Seed}): {ws.Files.Count} synced files, {ws.TotalBytes / 1e6:F1} MB, 150 nested folders; plus an ignored node_modules/ of {ws.IgnoredFiles} files and {ws.LargeFiles} files over 100 KB. Peers get the same file set (--exclude node_modules/ .git/, --max-size=102400)."
            )
        );
        text.AppendLine(
            Invariant(
                $"- {options.Runs} round(s); every figure is the median over rounds; latency percentiles are per round ({options.Edits} edits {options.EditSpacingMs} ms apart, {options.IsolatedEdits} isolated edits {options.IsolatedSpacingMs} ms apart), then the median of the rounds. Whole run: {runner.Elapsed.TotalMinutes:F1} min."
            )
        );
        text.AppendLine();

        if (options.WireOnly)
        {
            WireReport.Append(text, m, ws.TotalBytes);
            return text.ToString();
        }
        text.AppendLine(
            "| Measure | FileSync.Edge | rsync -a | lsyncd | Ratio (agent / peer) | Target | Verdict |"
        );
        text.AppendLine("|---|---|---|---|---|---|---|");

        var initial = m.Median("initial.agent.s");
        var rsyncInitial = m.Median("initial.rsync.s");
        var lsyncdInitial = m.Median("initial.lsyncd.s");
        Row(
            text,
            "1. Initial sync of the workspace (s): start → file_done, mirror complete",
            F(initial, 2),
            F(rsyncInitial, 2),
            F(lsyncdInitial, 2),
            $"{Ratio(initial, rsyncInitial)} rsync, {Ratio(initial, lsyncdInitial)} lsyncd",
            "≤ 2× rsync (#7)",
            AtMost(initial / rsyncInitial, 2, "×", 1)
        );
        Row(
            text,
            "   of which: process start → connected / scan+hash (→ manifest) / send (→ done) (s)",
            $"{F(m.Median("initial.agent.connect.s"), 2)} / {F(m.Median("initial.agent.scan.s"), 2)} / {F(m.Median("initial.agent.send.s"), 2)}",
            "",
            "",
            "",
            "",
            ""
        );
        foreach (var (measure, agent) in SyncBreakdown.Rows(m, "initial"))
        {
            Row(text, measure, agent, "", "", "", "", "");
        }
        Row(
            text,
            "   CPU seconds: agent start→connected / scan+hash / send; server, whole sync",
            $"{F(m.Median("initial.agent.cpu.connect.s"), 2)} / {F(m.Median("initial.agent.cpu.scan.s"), 2)} / {F(m.Median("initial.agent.cpu.send.s"), 2)}; server {F(m.Median("initial.server.cpu.s"), 2)}",
            "",
            "",
            "",
            "",
            ""
        );
        Row(
            text,
            "   files read by the agent for it / index persisted 2 s after file_done (1 = yes)",
            $"{F(m.Median("initial.agent.filesRead"), 0)} / {F(m.Median("initial.agent.indexSaved"), 0)}",
            "",
            "",
            "",
            "",
            ""
        );
        Row(
            text,
            "   peak RSS of the agent during the initial sync (VmHWM, MB)",
            F(m.Median("initial.agent.peakRss.mb"), 1),
            "",
            "",
            "",
            "",
            ""
        );

        LatencyRow(
            text,
            m,
            "2a. Change latency, edits 300 ms apart, **defaults** (--batch-ms 500, --settle-ms 10): p50 / p90 / p99 / max (ms)",
            "latency.default",
            "p99 ≤ 600 ms (#7); p50 ≤ 10, p99 ≤ 25 (#8)",
            [("p99", 600, "#7"), ("p50", 10, "#8"), ("p99", 25, "#8")]
        );
        LatencyRow(
            text,
            m,
            "2b. Change latency, edits 300 ms apart, --batch-ms 50 (ms)",
            "latency.batch50",
            "p99 ≤ 150 ms (#7)",
            [("p99", 150, "#7")]
        );
        if (m.Has("latency.isolated.p50"))
        {
            LatencyRow(
                text,
                m,
                Invariant(
                    $"2c. Single-edit latency, isolated edits ({options.IsolatedSpacingMs} ms apart, so each one follows a quiet batch interval), defaults (ms)"
                ),
                "latency.isolated",
                "p50 ≤ 10, p99 ≤ 25 (#8)",
                [("p50", 10, "#8"), ("p99", 25, "#8")]
            );
        }

        var burst = m.Median("burst.agent.s");
        var rsyncBurst = m.Median("burst.rsync.s");
        var lsyncdBurst = m.Median("burst.lsyncd.s");
        Row(
            text,
            Invariant(
                $"3. Burst: {options.BurstFiles} files rewritten at once → mirror identical (s, from the first write; rsync: one run after the writes)"
            ),
            F(burst, 2),
            F(rsyncBurst, 2),
            F(lsyncdBurst, 2),
            $"{Ratio(burst, rsyncBurst)} rsync, {Ratio(burst, lsyncdBurst)} lsyncd",
            "≤ 2 s (#7)",
            AtMost(burst, 2, " s", 2)
        );
        Row(
            text,
            "   batches / messages for the burst (lsyncd: rsync runs)",
            $"{F(m.Median("burst.agent.batches"), 0)} / {F(m.Median("burst.agent.messages"), 0)}",
            "1 run",
            F(m.Median("burst.lsyncd.rsyncCalls"), 0),
            "",
            "≤ 5 batches (#8)",
            AtMost(m.Median("burst.agent.batches"), 5, " batches", 0)
        );
        Row(
            text,
            "   time to write the burst (s), included above",
            F(m.Median("burst.agent.writes.s"), 3),
            "",
            "",
            "",
            "",
            ""
        );

        Row(
            text,
            "4a. Restart with 1 of 2000 files changed: bodies re-sent / content bytes / files read (size of the changed file)",
            Invariant(
                $"{F(m.Median("restart.bodies"), 0)} / {F(m.Median("restart.contentBytes"), 0)} B / {F(m.Median("restart.filesRead"), 0)} ({F(m.Median("restart.changedFile.bytes"), 0)} B)"
            ),
            Invariant(
                $"literal {F(m.Median("restart.rsync.literalBytes"), 0)} B, {F(m.Median("restart.rsync.totalBytesSent"), 0)} B sent in all ({F(m.Median("restart.rsync.changedFile.bytes"), 0)} B file)"
            ),
            "",
            "",
            "1 body re-sent (#7)",
            AtMost(m.Median("restart.bodies"), 1, " bodies", 0)
        );
        Row(
            text,
            "   restart: bytes on the wire, edge → server / server → edge (all frames: manifest, body, done)",
            $"{F(m.Median("restart.wire.toServer"), 0)} B / {F(m.Median("restart.wire.toEdge"), 0)} B",
            "",
            "",
            Ratio(m.Median("restart.wire.toServer"), m.Median("restart.rsync.totalBytesSent"))
                + " rsync's total",
            "",
            ""
        );
        Row(
            text,
            "   restart: agent start → file_done (s)",
            F(m.Median("restart.s"), 2),
            F(m.Median("restart.rsync.s"), 2),
            "",
            "",
            "",
            ""
        );
        Row(
            text,
            "4b. Reconnect (server restarted, 1 file changed meanwhile): bodies / content bytes / files read",
            Invariant(
                $"{F(m.Median("reconnect.bodies"), 0)} / {F(m.Median("reconnect.contentBytes"), 0)} B / {F(m.Median("reconnect.filesRead"), 0)} ({F(m.Median("reconnect.changedFile.bytes"), 0)} B)"
            ),
            "",
            "",
            "",
            "1 body re-sent (#7)",
            AtMost(m.Median("reconnect.bodies"), 1, " bodies", 0)
        );
        Row(
            text,
            "   reconnect: bytes on the wire, both directions",
            $"{F(m.Median("reconnect.wire.bytes"), 0)} B",
            "",
            "",
            "",
            "",
            ""
        );
        Row(
            text,
            "   reconnect: server restart → file_done (s; includes the agent's reconnect backoff)",
            F(m.Median("reconnect.s"), 2),
            "",
            "",
            "",
            "",
            ""
        );

        var idleCpu = m.Median("idle.agent.cpu.pct");
        var idleRss = m.Median("idle.agent.rss.mb");
        Row(
            text,
            Invariant(
                $"5a. Idle, {options.IdleSeconds} s watching the synced workspace: CPU (% of one core)"
            ),
            F(idleCpu, 3),
            "",
            F(m.Median("idle.lsyncd.cpu.pct"), 3),
            "",
            "< 1 % (#7)",
            Below(idleCpu, 1, " %", 3)
        );
        Row(
            text,
            "5b. Idle RSS (MB; max during the window)",
            $"{F(idleRss, 1)} ({F(m.Median("idle.agent.maxRss.mb"), 1)})",
            "",
            $"{F(m.Median("idle.lsyncd.rss.mb"), 1)} ({F(m.Median("idle.lsyncd.maxRss.mb"), 1)})",
            Ratio(idleRss, m.Median("idle.lsyncd.rss.mb")),
            "≤ 60 MB (#7)",
            AtMost(idleRss, 60, " MB", 1)
        );

        if (m.Has("longIdle.agent.wakeups.perSecond"))
        {
            var wakeups = m.Median("longIdle.agent.wakeups.perSecond");
            var cpuHour = m.Median("longIdle.agent.cpu.secondsPerHour");
            var longRss = m.Median("longIdle.agent.rss.mb");
            var lsyncdWakeups = m.Median("longIdle.lsyncd.wakeups.perSecond");
            var lsyncdCpuHour = m.Median("longIdle.lsyncd.cpu.secondsPerHour");
            var lsyncdRss = m.Median("longIdle.lsyncd.rss.mb");
            Row(
                text,
                Invariant(
                    $"5c. Idle {options.IdleWindowSeconds} s, side by side: wake-ups/s (context switches, all threads)"
                ),
                F(wakeups, 2),
                "",
                F(lsyncdWakeups, 2),
                Ratio(wakeups, lsyncdWakeups),
                "≤ 1/s (#24)",
                AtMost(wakeups, 1, "/s", 2)
            );
            Row(
                text,
                "5d. Same window: CPU-s per hour",
                F(cpuHour, 2),
                "",
                F(lsyncdCpuHour, 2),
                Ratio(cpuHour, lsyncdCpuHour),
                "≤ 0.5 (#24)",
                AtMost(cpuHour, 0.5, " CPU-s/h", 2)
            );
            Row(
                text,
                "5e. Same window: RSS at its end (MB)",
                F(longRss, 1),
                "",
                F(lsyncdRss, 1),
                Ratio(longRss, lsyncdRss),
                "≤ 20 MB (#24)",
                AtMost(longRss, 20, " MB", 1)
            );
        }

        if (m.Has("scale.scanHash.filesPerSecond"))
        {
            var files = m.Median("scale.files");
            var scan = m.Median("scale.scanHash.filesPerSecond");
            Row(
                text,
                Invariant(
                    $"6a. Scale, {files:F0} files ({m.Median("scale.mb"):F0} MB): scan+hash rate (files/s; rsync: its whole initial copy)"
                ),
                F(scan, 0),
                F(m.Median("scale.rsync.filesPerSecond"), 0),
                "",
                Ratio(scan, m.Median("scale.rsync.filesPerSecond")),
                "≥ 10 000 files/s (#7)",
                AtLeast(scan, 10_000, " files/s")
            );
            if (m.Has("scale.scanHash.sha256.filesPerSecond"))
            {
                var sha256 = m.Median("scale.scanHash.sha256.filesPerSecond");
                Row(
                    text,
                    "6a′. Scale: the same scan+hash with SHA-256 (a server started with --no-xxh128, same mirror, same runs); 6a is XxHash128",
                    Invariant($"{sha256:F0} (6a: {(scan / sha256 - 1) * 100:+0;-0} %)"),
                    "",
                    "",
                    "",
                    "6a ≥ 1.2 × this (#17)",
                    AtLeast(scan, sha256 * 1.2, " files/s")
                );
            }
            Row(
                text,
                "6b. Scale: whole initial sync, start → file_done (s, files/s; run 1 only); a resume with an empty state folder against the complete mirror (s)",
                $"{F(m.Median("scale.initial.s"), 1)} s, {F(m.Median("scale.initial.filesPerSecond"), 0)}/s; resume {F(m.Median("scale.resume.s"), 1)} s",
                $"{F(m.Median("scale.rsync.s"), 1)} s",
                "",
                Ratio(m.Median("scale.initial.s"), m.Median("scale.rsync.s")),
                "",
                ""
            );
            var rss = m.Median("scale.initial.rssAfter.mb");
            var baseline = m.Median("initial.agent.rssAfter.mb");
            var marginal = (rss - baseline) * 1e6 / (files - ws.Files.Count);
            Row(
                text,
                "6c. Scale: RSS 2 s after the initial sync's file_done (MB), per tracked file, and marginal per file over the 2000-file workspace (same moment)",
                Invariant(
                    $"{rss:F0} MB, {rss * 1e6 / files / 1024:F1} KB/file; marginal {marginal / 1024:F2} KB/file (2000 files: {baseline:F0} MB); after a resume: {m.Median("scale.resume.rssAfter.mb"):F0} MB"
                ),
                "",
                "",
                "",
                "",
                ""
            );
            Row(
                text,
                "   scale: peak RSS during the initial sync / during a resume (MB)",
                $"{F(m.Median("scale.initial.peakRss.mb"), 0)} / {F(m.Median("scale.resume.peakRss.mb"), 0)}",
                "",
                "",
                "",
                "",
                ""
            );
        }
        text.AppendLine();

        if (m.Has("diag.settle10.p50"))
        {
            text.AppendLine(
                "**Where a single edit's time goes** (one diagnostic pass of isolated edits, agent at --log-level Debug to count re-checks; not a target):"
            );
            text.AppendLine();
            text.AppendLine(
                "| Stage | p50 (ms) | p90 (ms) | p99 (ms) | max (ms) | re-reads of a file caught mid-write / other versions seen in the mirror first |"
            );
            text.AppendLine("|---|---|---|---|---|---|");
            DiagnosticRow(
                text,
                m,
                "write → kernel reports the close on the workspace (inotify IN_CLOSE_WRITE seen by the harness)",
                "diag.settle10.kernel",
                ""
            );
            DiagnosticRow(
                text,
                m,
                "server alone: frame sent by a probe client → mirror file renamed into place",
                "diag.server",
                ""
            );
            DiagnosticRow(
                text,
                m,
                "agent, defaults (--settle-ms 10), in-place writes: write → mirror",
                "diag.settle10",
                $"{F(m.Median("diag.settle10.unstableReads"), 0)} / {F(m.Median("diag.settle10.intermediate"), 0)}"
            );
            DiagnosticRow(
                text,
                m,
                "agent, --settle-ms 0, in-place writes",
                "diag.settle0",
                $"{F(m.Median("diag.settle0.unstableReads"), 0)} / {F(m.Median("diag.settle0.intermediate"), 0)}"
            );
            DiagnosticRow(
                text,
                m,
                "agent, --settle-ms 0, files renamed into place (timed from the rename)",
                "diag.settle0.rename",
                $"{F(m.Median("diag.settle0.rename.unstableReads"), 0)} / {F(m.Median("diag.settle0.rename.intermediate"), 0)}"
            );
            text.AppendLine();
            var total = m.Median("diag.settle10.p50");
            var serverPart = m.Median("diag.server.p50");
            text.AppendLine(
                Invariant(
                    $"At p50 the default single edit takes {total:F1} ms: ≈ {serverPart:F1} ms in the server (receive, parse, write a temp file, rename) and ≈ {total - serverPart:F1} ms for the rest (write and inotify delivery, the agent's wake-up, stat + read + SHA-256, JSON, WebSocket send over loopback). The 10 ms settle is not in it: the agent flushes a change at once when inotify reports it complete (the file closed after writing, or renamed into place) and waits the settle only while a file may still be open for writing. A file renamed into place with --settle-ms 0 takes {m.Median("diag.settle0.rename.p50"):F1} ms end to end; {m.Median("diag.settle10.intermediate"):F0} time(s) at the defaults and {m.Median("diag.settle0.intermediate"):F0} at --settle-ms 0 another version of the file reached the mirror before the final one."
                )
            );
            text.AppendLine();
        }

        WireReport.Append(text, m, ws.TotalBytes);

        if (runner.Notes.Count > 0)
        {
            text.AppendLine("**Notes from the run:**");
            text.AppendLine();
            foreach (var note in runner.Notes)
            {
                text.AppendLine($"- {note}");
            }
            text.AppendLine();
        }

        text.AppendLine("<details><summary>Every figure, per round</summary>");
        text.AppendLine();
        text.AppendLine("| key | median | per round |");
        text.AppendLine("|---|---|---|");
        foreach (var key in m.Keys)
        {
            text.AppendLine(
                $"| {key} | {F(m.Median(key), 3)} | {string.Join(" · ", m.Values(key).Select(v => F(v, 3)))} |"
            );
        }
        text.AppendLine();
        text.AppendLine("</details>");
        return text.ToString();
    }

    private static void LatencyRow(
        StringBuilder text,
        Measurements m,
        string label,
        string key,
        string target,
        (string Field, double Limit, string Issue)[] checks
    )
    {
        string Four(string prefix) =>
            $"{F(m.Median($"{prefix}.p50"), 1)} / {F(m.Median($"{prefix}.p90"), 1)} / {F(m.Median($"{prefix}.p99"), 1)} / {F(m.Median($"{prefix}.max"), 1)}";
        var lost = m.Sum($"{key}.lost");
        var agent = Four(key) + (lost > 0 ? Invariant($" ({lost:F0} lost)") : "");
        var lsyncd = m.Has("latency.lsyncd.p50") ? Four("latency.lsyncd") : "";
        var ratio = m.Has("latency.lsyncd.p50")
            ? $"p50 {Ratio(m.Median($"{key}.p50"), m.Median("latency.lsyncd.p50"))}, p99 {Ratio(m.Median($"{key}.p99"), m.Median("latency.lsyncd.p99"))}"
            : "";
        var verdicts = checks.Select(c =>
            $"{c.Issue} {c.Field}: {AtMost(m.Median($"{key}.{c.Field}"), c.Limit, " ms", 1)}"
        );
        Row(text, label, agent, "—", lsyncd, ratio, target, string.Join("; ", verdicts));
    }

    private static void DiagnosticRow(
        StringBuilder text,
        Measurements m,
        string label,
        string key,
        string extra
    ) =>
        text.AppendLine(
            $"| {label} | {F(m.Median($"{key}.p50"), 2)} | {F(m.Median($"{key}.p90"), 2)} | {F(m.Median($"{key}.p99"), 2)} | {F(m.Median($"{key}.max"), 2)} | {extra} |"
        );

    private static void Row(
        StringBuilder text,
        string measure,
        string agent,
        string rsync,
        string lsyncd,
        string ratio,
        string target,
        string verdict
    ) =>
        text.AppendLine(
            $"| {measure} | {agent} | {rsync} | {lsyncd} | {ratio} | {target} | {verdict} |"
        );

    internal static string F(double value, int decimals) =>
        double.IsNaN(value) || double.IsInfinity(value)
            ? "n/a"
            : value.ToString("N" + decimals.ToString(s_invariant), s_invariant);

    internal static string Ratio(double value, double peer) =>
        double.IsNaN(value) || double.IsNaN(peer) || peer <= 0
            ? "n/a"
            : (value / peer).ToString("0.0#", s_invariant) + "×";

    private static string AtMost(double value, double limit, string unit, int decimals) =>
        double.IsNaN(value) ? "not measured"
        : value <= limit ? "met"
        : $"**missed** by {F(value - limit, decimals)}{unit} ({(value / limit).ToString("0.0#", s_invariant)}× the target)";

    private static string Below(double value, double limit, string unit, int decimals) =>
        double.IsNaN(value) ? "not measured"
        : value < limit ? "met"
        : $"**missed** by {F(value - limit, decimals)}{unit}";

    private static string AtLeast(double value, double limit, string unit) =>
        double.IsNaN(value) ? "not measured"
        : value >= limit ? "met"
        : $"**missed** by {F(limit - value, 0)}{unit} ({(value / limit).ToString("0.0#", s_invariant)}× the target)";

    private static string Invariant(FormattableString text) => text.ToString(s_invariant);

    public static string DescribeMachine()
    {
        var model =
            File.ReadLines("/proc/cpuinfo")
                .FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))
                ?.Split(':', 2)[1]
                .Trim()
            ?? "unknown CPU";
        var memory = File.ReadLines("/proc/meminfo")
            .FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        var gib = memory is null
            ? double.NaN
            : long.Parse(memory.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], s_invariant)
                / 1024.0
                / 1024.0;
        var kernel = File.Exists("/proc/sys/kernel/osrelease")
            ? File.ReadAllText("/proc/sys/kernel/osrelease").Trim()
            : "unknown";
        return Invariant(
            $"nproc {Environment.ProcessorCount}, {model}, {gib:F1} GiB RAM, Linux {kernel}"
        );
    }

    /// <summary>What was measured: an executable publish.sh put under artifacts/ (Native AOT or a trimmed single file) or a Release build.</summary>
    private static string BuildKind(string executable) =>
        !executable.Contains(
            $"{Path.DirectorySeparatorChar}artifacts{Path.DirectorySeparatorChar}",
            StringComparison.Ordinal
        )
            ? "Release build"
        : IsSingleFileBundle(executable)
            ? "the published single-file, trimmed executable (publish.sh)"
        : "the published Native AOT executable (publish.sh)";

    /// <summary>A single-file bundle is built on the .NET apphost, which carries this bundle signature; a Native AOT image does not.</summary>
    private static bool IsSingleFileBundle(string executable)
    {
        ReadOnlySpan<byte> marker =
        [
            0x8b,
            0x12,
            0x02,
            0xb9,
            0x6a,
            0x61,
            0x20,
            0x38,
            0x72,
            0x7b,
            0x93,
            0x02,
            0x14,
            0xd7,
            0xa0,
            0x32,
            0x13,
            0xf5,
            0xb9,
            0xe6,
            0xef,
            0xae,
            0x33,
            0x18,
            0xee,
            0x3b,
            0x2d,
            0xce,
            0x24,
            0xb3,
            0x6a,
            0xae,
        ];
        try
        {
            return File.ReadAllBytes(executable).AsSpan().IndexOf(marker) >= 0;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static string ToolVersion(string tool, string argument)
    {
        if (Peers.Which(tool) is null)
        {
            return $"{tool} not installed";
        }
        try
        {
            var info = new ProcessStartInfo(tool, argument)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var process = Process.Start(info)!;
            var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            var line =
                output
                    .Split(
                        '\n',
                        StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries
                    )
                    .FirstOrDefault()
                ?? tool;
            return line.StartsWith(tool, StringComparison.OrdinalIgnoreCase)
                ? line
                : $"{tool} {line}";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return $"{tool} (version unknown)";
        }
    }
}
