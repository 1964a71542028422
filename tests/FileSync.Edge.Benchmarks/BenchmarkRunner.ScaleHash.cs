using System.Diagnostics;
using FileSync.Edge.Benchmarks.Generation;
using FileSync.Edge.Benchmarks.Measuring;
using FileSync.Edge.Benchmarks.Processes;

namespace FileSync.Edge.Benchmarks;

/// <summary>The agent's scale run itself, and the same scan+hash against a server that keeps SHA-256.</summary>
internal sealed partial class BenchmarkRunner
{
    /// <summary>
    /// One agent from an empty state folder (<paramref name="state"/>, emptied first) against <paramref name="server"/>: scan+hash ("Connected" →
    /// its manifest or digest sent), start → file_done, peak RSS, and RSS two seconds after file_done.
    /// </summary>
    private async Task<(double Scan, double Total, long Peak, long Rss)> MeasureScaleAgentAsync(
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
        var scan = Seconds(connected.Timestamp, manifest.Timestamp);
        var total = Seconds(start, done.Timestamp);
        await WaitUntilAsync(done.Timestamp, TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        return (scan, total, peak, ProcStats.Read(agent.Id).RssBytes);
    }

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
        var (scan, _, _, _) = await MeasureScaleAgentAsync(server, workspace, state)
            .ConfigureAwait(false);
        Measurements.Add("scale.scanHash.sha256.filesPerSecond", workspace.Files.Count / scan);
        Log(
            $"  agent (SHA-256 server): scan+hash {scan:F2} s ({workspace.Files.Count / scan:F0} files/s)"
        );
    }
}
