using System.Diagnostics;
using System.Globalization;
using FileSync.Edge.Benchmarks.Generation;
using FileSync.Edge.Benchmarks.Measuring;
using FileSync.Edge.Benchmarks.Processes;

namespace FileSync.Edge.Benchmarks;

/// <summary>The agent's scale run itself, and the same scan+hash against a server that keeps SHA-256.</summary>
internal sealed partial class BenchmarkRunner
{
    /// <summary>
    /// One agent from an empty state folder (<paramref name="state"/>, emptied first) against <paramref name="server"/>: scan+hash ("Connected" →
    /// its manifest or digest sent), start → file_done, peak RSS and where it was, the GC's own figures
    /// the agent logged, and RSS two seconds after file_done.
    /// </summary>
    private async Task<ScaleAgentRun> MeasureScaleAgentAsync(
        ServerProcess server,
        GeneratedWorkspace workspace,
        string state
    )
    {
        if (Directory.Exists(state))
        {
            Directory.Delete(state, recursive: true);
        }
        var from = server.Process.LineCount;
        var start = Stopwatch.GetTimestamp();
        // Debug logging adds one line here: the agent's own "manifest of N files sent", which ends the
        // scan+hash without counting the server's manifest work.
        await using var agent = AgentProcess.Start(
            options.AgentExecutable,
            workspace.Root,
            server,
            state,
            new AgentSettings(MaxFiles: workspace.Files.Count + 10_000),
            logLevel: "Debug"
        );
        await using var peakParts = new PeakResidentSampler(agent.Id);
        var connected = await agent
            .WaitForLineAsync(
                l => l.Contains("Connected to ", StringComparison.Ordinal),
                0,
                s_syncTimeout
            )
            .ConfigureAwait(false);
        var manifest = await agent
            .WaitForLineAsync(
                l =>
                    l.Contains(
                        $"Workspace {workspace.Name}: manifest of ",
                        StringComparison.Ordinal
                    )
                    || l.Contains(
                        $"Workspace {workspace.Name}: digest of ",
                        StringComparison.Ordinal
                    ),
                0,
                s_syncTimeout
            )
            .ConfigureAwait(false);
        var done = await server
            .WaitDoneAsync(workspace.Name, from, s_syncTimeout)
            .ConfigureAwait(false);
        var peak = ProcStats.Read(agent.Id).PeakRssBytes;
        var parts = await peakParts.StopAsync().ConfigureAwait(false);
        var scan = Seconds(connected.Timestamp, manifest.Timestamp);
        var total = Seconds(start, done.Timestamp);
        await WaitUntilAsync(done.Timestamp, TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        var memory = agent
            .Lines.Where(l =>
                l.Contains($"Workspace {workspace.Name}: memory ", StringComparison.Ordinal)
            )
            .Select(l => l[(l.IndexOf(": memory ", StringComparison.Ordinal) + 2)..])
            .ToList();
        return new ScaleAgentRun(
            scan,
            total,
            peak,
            ProcStats.Read(agent.Id).RssBytes,
            parts,
            memory
        );
    }

    /// <summary>
    /// The scale run's peak broken down, as a note: the resident set by mapping at the sample nearest the
    /// peak, and the garbage collector's own figures that the agent logged (live heap, large objects,
    /// committed) after the manifest exchange and after the sync.
    /// </summary>
    private void NoteScalePeak(ScaleAgentRun run)
    {
        var parts = run.PeakParts is { } sampled
            ? string.Create(
                CultureInfo.InvariantCulture,
                $"{sampled.TotalKilobytes / 1024.0:F1} MB at the largest 100 ms sample: {sampled}"
            )
            : "not sampled";
        var gc = run.MemoryLines.Count > 0 ? string.Join("; ", run.MemoryLines) : "not logged";
        var note = string.Create(
            CultureInfo.InvariantCulture,
            $"Scale initial sync, peak RSS {run.Peak / 1e6:F0} MB; by mapping, {parts}. The agent's own figures: {gc}."
        );
        Notes.Add(note);
        Log("  " + note);
    }

    /// <param name="PeakParts">Where the resident set was at the sample nearest its peak.</param>
    /// <param name="MemoryLines">The agent's "memory …" debug lines: the GC's figures after the manifest exchange and after the sync.</param>
    private sealed record ScaleAgentRun(
        double Scan,
        double Total,
        long Peak,
        long Rss,
        ResidentMappings? PeakParts,
        IReadOnlyList<string> MemoryLines
    );

    /// <summary>
    /// Scan+hash with SHA-256: the same agent and workspace from an empty state folder, against a server
    /// started with <c>--no-xxh128</c> on the complete mirror (so the run is a resume, as runs 2 and
    /// later of the default one).
    /// </summary>
    private async Task MeasureSha256ScanHashAsync(
        ServerProcess server,
        GeneratedWorkspace workspace,
        string state
    )
    {
        var scan = (
            await MeasureScaleAgentAsync(server, workspace, state).ConfigureAwait(false)
        ).Scan;
        Measurements.Add("scale.scanHash.sha256.filesPerSecond", workspace.Files.Count / scan);
        Log(
            $"  agent (SHA-256 server): scan+hash {scan:F2} s ({workspace.Files.Count / scan:F0} files/s)"
        );
    }
}
