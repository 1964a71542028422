using System.Diagnostics;
using FileSync.Edge.Benchmarks.Measuring;
using FileSync.Edge.Benchmarks.Processes;

namespace FileSync.Edge.Benchmarks;

/// <summary>
/// Bytes on the wire and the server's CPU, per wire mode (issue #17): the same agent against the same
/// server, with features switched off by server flags (<c>--no-msgpack</c>, <c>--no-manifest-tree</c>,
/// <c>--no-compression</c>). Every byte both ways is counted by a TCP relay, HTTP upgrade included.
/// </summary>
internal sealed partial class BenchmarkRunner
{
    /// <summary>The modes measured, side by side; the first is the wire before issue #17.</summary>
    internal static readonly WireMode[] WireModes =
    [
        new(
            "json",
            "JSON, flat manifest, uncompressed",
            ["--no-msgpack", "--no-manifest-tree", "--no-compression"],
            AgentSettings.Defaults
        ),
        new(
            "json-tree",
            "JSON, digest-first, uncompressed",
            ["--no-msgpack", "--no-compression"],
            AgentSettings.Defaults
        ),
        new(
            "json-deflate-tree",
            "JSON + permessage-deflate, digest-first",
            ["--no-msgpack"],
            AgentSettings.Defaults
        ),
        new(
            "msgpack-tree",
            "msgpack, digest-first, uncompressed",
            ["--no-compression"],
            new AgentSettings(Compression: false)
        ),
        new(
            "msgpack-compressed",
            "msgpack + compression, flat manifest",
            ["--no-manifest-tree"],
            AgentSettings.Defaults
        ),
        new(
            "msgpack-compressed-tree",
            "msgpack + compression, digest-first (default)",
            [],
            AgentSettings.Defaults
        ),
    ];

    private async Task RunWireAsync()
    {
        for (var run = 1; run <= options.Runs; run++)
        {
            foreach (var mode in WireModes)
            {
                await RunWireModeAsync(mode, run).ConfigureAwait(false);
            }
        }
    }

    private async Task RunWireModeAsync(WireMode mode, int run)
    {
        var dir = Path.Join(options.WorkDirectory, "wire", $"{mode.Key}-{run}");
        var mirror = Path.Join(dir, "mirror");
        var state = Path.Join(dir, "state");
        var mirrorRoot = Path.Join(mirror, _workspace.Name);
        var key = $"wire.{mode.Key}";
        var server = await ServerProcess
            .StartAsync(options.ServerExecutable, mirror, 0, mode.ServerArguments)
            .ConfigureAwait(false);
        var relay = new TcpRelay(server.Port);
        ChildProcess? agent = null;
        try
        {
            // Initial sync: empty mirror, empty state.
            var cpuBefore = ProcStats.Read(server.Process.Id).CpuTicks;
            var from = server.Process.LineCount;
            var started = Stopwatch.GetTimestamp();
            agent = AgentProcess.Start(
                options.AgentExecutable,
                _workspace.Root,
                relay.WebSocketUri.ToString(),
                state,
                mode.Agent
            );
            var done = await server
                .WaitDoneAsync(_workspace.Name, from, s_syncTimeout)
                .ConfigureAwait(false);
            Measurements.Add($"{key}.initial.s", Seconds(started, done.Timestamp));
            Measurements.Add($"{key}.initial.bytes", relay.ToServer + relay.ToClient);
            Measurements.Add(
                $"{key}.initial.serverCpu.s",
                CpuSeconds(ProcStats.Read(server.Process.Id).CpuTicks - cpuBefore)
            );
            RequireMirrorEqual(mirrorRoot, $"{mode.Label}: initial sync");

            // Restart with nothing changed, then with one file of the workspace changed.
            foreach (var (phase, edit) in new[] { ("nochange", false), ("onechange", true) })
            {
                await agent.StopAsync().ConfigureAwait(false);
                await agent.DisposeAsync().ConfigureAwait(false);
                agent = null;
                if (edit)
                {
                    EditOneFile(Pick(run, 60));
                }
                var before = relay.ToServer + relay.ToClient;
                from = server.Process.LineCount;
                agent = AgentProcess.Start(
                    options.AgentExecutable,
                    _workspace.Root,
                    relay.WebSocketUri.ToString(),
                    state,
                    mode.Agent
                );
                await server
                    .WaitDoneAsync(_workspace.Name, from, s_syncTimeout)
                    .ConfigureAwait(false);
                Measurements.Add($"{key}.{phase}.bytes", relay.ToServer + relay.ToClient - before);
                RequireMirrorEqual(mirrorRoot, $"{mode.Label}: restart ({phase})");
            }

            // Reconnect: the server restarts on its port; one file changes meanwhile.
            var wireBefore = relay.ToServer + relay.ToClient;
            var port = server.Port;
            await server.StopAsync().ConfigureAwait(false);
            await server.DisposeAsync().ConfigureAwait(false);
            EditOneFile(Pick(run, 61));
            server = await ServerProcess
                .StartAsync(options.ServerExecutable, mirror, port, mode.ServerArguments)
                .ConfigureAwait(false);
            await server.WaitDoneAsync(_workspace.Name, 0, s_syncTimeout).ConfigureAwait(false);
            Measurements.Add(
                $"{key}.reconnect.bytes",
                relay.ToServer + relay.ToClient - wireBefore
            );
            RequireMirrorEqual(mirrorRoot, $"{mode.Label}: reconnect");
            Log(
                $"  wire {mode.Label}: initial {Measurements.Values($"{key}.initial.bytes")[^1] / 1e6:F2} MB in {Measurements.Values($"{key}.initial.s")[^1]:F2} s, "
                    + $"server CPU {Measurements.Values($"{key}.initial.serverCpu.s")[^1]:F2} s, "
                    + $"restart {Measurements.Values($"{key}.nochange.bytes")[^1]:F0} B unchanged / "
                    + $"{Measurements.Values($"{key}.onechange.bytes")[^1]:F0} B with one change, "
                    + $"reconnect {Measurements.Values($"{key}.reconnect.bytes")[^1]:F0} B"
            );
        }
        finally
        {
            if (agent is not null)
            {
                await agent.StopAsync().ConfigureAwait(false);
                await agent.DisposeAsync().ConfigureAwait(false);
            }
            await relay.DisposeAsync().ConfigureAwait(false);
            await server.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>One way of running the wire: a short key for the figures, a label, the server's flags.</summary>
    internal sealed record WireMode(
        string Key,
        string Label,
        string[] ServerArguments,
        AgentSettings Agent
    );
}
