using System.Diagnostics;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using FileSync.Edge.Benchmarks.Generation;
using FileSync.Edge.Benchmarks.Measuring;
using FileSync.Edge.Benchmarks.Processes;

namespace FileSync.Edge.Benchmarks;

/// <summary>Idle CPU (percent of one core) and RSS over a window.</summary>
internal readonly record struct IdleSample(double CpuPercent, double RssMb, double MaxRssMb);

/// <summary>A burst: from the first write to the last file in the mirror, and how the arrivals cluster.</summary>
internal readonly record struct BurstResult(
    double TotalMs,
    double AfterWritesMs,
    double WritesMs,
    int Clusters,
    int Lost
);

internal sealed partial class BenchmarkRunner
{
    /// <summary>Every latency sample (ms) by scenario key, for the CSV next to the report.</summary>
    public Dictionary<string, List<double>> RawLatencies { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Edits <paramref name="count"/> distinct files, one every <paramref name="spacingMs"/>, each a
    /// whole-file rewrite (open with O_TRUNC, write, close, as an editor's save) of the same size with new
    /// bytes. Latency of an edit: from just before its write to the moment the mirror file holds the new
    /// bytes (see <see cref="MirrorTracker"/>). Edits are on a fixed schedule, not "after the previous one
    /// arrived", so a slow arrival never delays the next edit. With <paramref name="sourceTracker"/>, the
    /// moment the kernel reports the write on the workspace side is recorded too (key + ".kernel").
    /// </summary>
    /// <param name="renameFrom">When set, each edit is written to a file in this folder (outside the
    /// workspace, same file system) and renamed into place, timed from the rename: the workspace only
    /// ever holds complete files.</param>
    private LatencySummary MeasureLatency(
        MirrorTracker tracker,
        string mirrorRoot,
        int count,
        int spacingMs,
        ulong seed,
        string? key = null,
        MirrorTracker? sourceTracker = null,
        string? renameFrom = null
    )
    {
        var files = PickFiles(seed, count);
        var intermediateBefore = tracker.IntermediateVersions;
        var starts = new long[files.Count];
        var arrivals = new Task<long>[files.Count];
        var sourceArrivals = new Task<long>[files.Count];
        var spacing = Stopwatch.Frequency * spacingMs / 1000;
        var next = Stopwatch.GetTimestamp() + spacing;
        for (var i = 0; i < files.Count; i++)
        {
            var relative = files[i];
            var content = _workspace.MakeEdit(relative, ++_revision);
            arrivals[i] = tracker.Expect(Path.Join(mirrorRoot, relative), content);
            sourceArrivals[i] =
                sourceTracker?.Expect(_workspace.FullPath(relative), content)
                ?? Task.FromResult(0L);
            var wait = (next - Stopwatch.GetTimestamp()) * 1000 / Stopwatch.Frequency;
            if (wait > 0)
            {
                Thread.Sleep((int)wait);
            }
            if (renameFrom is null)
            {
                starts[i] = Stopwatch.GetTimestamp();
                File.WriteAllBytes(_workspace.FullPath(relative), content);
            }
            else
            {
                var temp = Path.Join(renameFrom, $"edit-{i}.tmp");
                File.WriteAllBytes(temp, content);
                starts[i] = Stopwatch.GetTimestamp();
                File.Move(temp, _workspace.FullPath(relative), overwrite: true);
            }
            next += spacing;
        }
        WaitAll(arrivals);
        var latencies = Collect(arrivals, starts);
        if (key is not null && sourceTracker is not null)
        {
            WaitAll(sourceArrivals);
            var kernel = Collect(sourceArrivals, starts);
            Measurements.AddLatency(
                key + ".kernel",
                LatencySummary.From(kernel, files.Count - kernel.Count)
            );
            Raw(key + ".kernel").AddRange(kernel);
        }
        if (key is not null)
        {
            Raw(key).AddRange(latencies);
            Measurements.Add(
                key + ".intermediate",
                tracker.IntermediateVersions - intermediateBefore
            );
        }
        return LatencySummary.From(latencies, files.Count - latencies.Count);
    }

    private List<double> Raw(string key)
    {
        if (!RawLatencies.TryGetValue(key, out var list))
        {
            list = [];
            RawLatencies[key] = list;
        }
        return list;
    }

    private static void WaitAll(Task<long>[] arrivals)
    {
        try
        {
            Task.WhenAll(arrivals).Wait(s_convergeTimeout);
        }
        catch (AggregateException)
        {
            // Cancelled ones are counted as lost.
        }
    }

    private static List<double> Collect(Task<long>[] arrivals, long[] starts)
    {
        var latencies = new List<double>(arrivals.Length);
        for (var i = 0; i < arrivals.Length; i++)
        {
            if (arrivals[i].IsCompletedSuccessfully)
            {
                latencies.Add(
                    Stopwatch.GetElapsedTime(starts[i], arrivals[i].Result).TotalMilliseconds
                );
            }
        }
        return latencies;
    }

    /// <summary>
    /// Rewrites <see cref="BenchmarkOptions.BurstFiles"/> files as fast as one thread can, then waits until
    /// the mirror holds all of them. Arrivals more than <see cref="BatchGapMs"/> apart are counted as
    /// separate batches (the agent sends a batch as one continuous stream, and batches at the default
    /// interval are 500 ms apart).
    /// </summary>
    private BurstResult MeasureBurst(MirrorTracker tracker, string mirrorRoot, ulong seed)
    {
        var files = PickFiles(seed, options.BurstFiles);
        var contents = files.Select(f => _workspace.MakeEdit(f, ++_revision)).ToList();
        var arrivals = files
            .Select((f, i) => tracker.Expect(Path.Join(mirrorRoot, f), contents[i]))
            .ToArray();
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < files.Count; i++)
        {
            File.WriteAllBytes(_workspace.FullPath(files[i]), contents[i]);
        }
        var written = Stopwatch.GetTimestamp();
        WaitAll(arrivals);
        var times = arrivals
            .Where(a => a.IsCompletedSuccessfully)
            .Select(a => a.Result)
            .Order()
            .ToList();
        if (times.Count == 0)
        {
            return new BurstResult(
                double.NaN,
                double.NaN,
                Stopwatch.GetElapsedTime(start, written).TotalMilliseconds,
                0,
                files.Count
            );
        }
        var clusters = 1;
        for (var i = 1; i < times.Count; i++)
        {
            if (Stopwatch.GetElapsedTime(times[i - 1], times[i]).TotalMilliseconds > BatchGapMs)
            {
                clusters++;
            }
        }
        return new BurstResult(
            Stopwatch.GetElapsedTime(start, times[^1]).TotalMilliseconds,
            Stopwatch.GetElapsedTime(written, times[^1]).TotalMilliseconds,
            Stopwatch.GetElapsedTime(start, written).TotalMilliseconds,
            clusters,
            files.Count - times.Count
        );
    }

    /// <summary>CPU over the whole window from utime+stime (10 ms ticks: 0.03 % resolution over 30 s); RSS sampled every second.</summary>
    private static async Task<IdleSample> SampleIdleAsync(int pid, int seconds)
    {
        var first = ProcStats.Read(pid);
        var last = first;
        var maxRss = first.RssBytes;
        for (var i = 0; i < seconds; i++)
        {
            await Task.Delay(1000).ConfigureAwait(false);
            last = ProcStats.Read(pid);
            maxRss = Math.Max(maxRss, last.RssBytes);
        }
        return new IdleSample(ProcStats.CpuPercent(first, last), last.RssBytes / 1e6, maxRss / 1e6);
    }

    /// <summary>Untimed check that a mirror holds exactly the workspace's synced files, byte for byte. A mismatch is a note in the report.</summary>
    private void RequireMirrorEqual(
        string mirrorRoot,
        string what,
        GeneratedWorkspace? workspace = null
    )
    {
        workspace ??= _workspace;
        var problems = 0;
        string? example = null;
        foreach (var file in workspace.Files)
        {
            var mirrored = Path.Join(mirrorRoot, file.RelativePath);
            if (
                !File.Exists(mirrored)
                || !File.ReadAllBytes(mirrored)
                    .AsSpan()
                    .SequenceEqual(File.ReadAllBytes(workspace.FullPath(file.RelativePath)))
            )
            {
                problems++;
                example ??= file.RelativePath;
            }
        }
        var count = Directory.Exists(mirrorRoot)
            ? Directory.EnumerateFiles(mirrorRoot, "*", SearchOption.AllDirectories).Count()
            : 0;
        if (problems > 0 || count != workspace.Files.Count)
        {
            var message =
                $"MISMATCH after {what}: {problems} files differ (e.g. {example}), the mirror has {count} files, expected {workspace.Files.Count}.";
            Notes.Add(message);
            Log("  " + message);
        }
    }

    /// <summary>
    /// Where a single edit's time goes (one round, not a target): the agent with --settle-ms 0 on isolated
    /// edits, the kernel's delivery of the write event (inotify on the workspace), and the server alone (a
    /// probe WebSocket client sends the same kind of file, timed from the send to the mirror file).
    /// </summary>
    private async Task RunDiagnosticsAsync()
    {
        Log("diagnostics: where a single edit's time goes");
        var dir = Path.Join(options.WorkDirectory, "diagnostics");
        var mirror = Path.Join(dir, "mirror");
        var count = Math.Max(options.IsolatedEdits, 20);
        await using var server = await ServerProcess
            .StartAsync(options.ServerExecutable, mirror)
            .ConfigureAwait(false);
        var mirrorRoot = Path.Join(mirror, _workspace.Name);
        var renameFolder = Path.Join(dir, "edits");
        Directory.CreateDirectory(renameFolder);
        foreach (var (settle, atomic) in new[] { (0, false), (0, true), (10, false) })
        {
            var from = server.Process.LineCount;
            await using var agent = AgentProcess.Start(
                options.AgentExecutable,
                _workspace.Root,
                server,
                Path.Join(dir, "state"),
                new AgentSettings(SettleMs: settle),
                logLevel: "Debug"
            );
            await server.WaitDoneAsync(_workspace.Name, from, s_syncTimeout).ConfigureAwait(false);
            await Task.Delay(1000).ConfigureAwait(false);
            using var tracker = new MirrorTracker(mirrorRoot);
            using var source = new MirrorTracker(_workspace.Root);
            var key = $"diag.settle{settle}{(atomic ? ".rename" : "")}";
            var agentLines = agent.LineCount;
            var latency = MeasureLatency(
                tracker,
                mirrorRoot,
                count,
                options.IsolatedSpacingMs,
                Pick(0, 20 + settle + (atomic ? 1 : 0)),
                key,
                source,
                atomic ? renameFolder : null
            );
            var unstable = agent
                .LinesFrom(agentLines)
                .Count(l => l.Text.Contains("changed while being read", StringComparison.Ordinal));
            Measurements.AddLatency(key, latency);
            Measurements.Add(key + ".unstableReads", unstable);
            Log(
                $"  agent --settle-ms {settle}, isolated edits{(atomic ? " renamed into place" : "")}: {Describe(latency)}; {unstable} reads found the file mid-write"
            );
        }

        // The server alone: a probe edge sends file bodies; timed from the send to the mirror file.
        var probeRoot = Path.Join(mirror, "probe");
        Directory.CreateDirectory(probeRoot);
        using var probeTracker = new MirrorTracker(probeRoot);
        using var socket = new ClientWebSocket();
        await socket
            .ConnectAsync(
                new Uri(server.EdgeUrl + "?fingerprint=benchmark-probe"),
                CancellationToken.None
            )
            .ConfigureAwait(false);
        var receive = new byte[64 * 1024];
        await socket.ReceiveAsync(receive, CancellationToken.None).ConfigureAwait(false); // connected_edge
        var drain = DrainAsync(socket, receive);
        var files = PickFiles(Pick(0, 40), count);
        var samples = new List<double>();
        for (var i = 0; i < files.Count; i++)
        {
            var content = _workspace.MakeEdit(files[i], ++_revision);
            var name = $"p{i:D3}.txt";
            var frame = new JsonObject
            {
                ["type"] = "workspace:file_modify_sync",
                ["payload"] = new JsonObject
                {
                    ["path"] = $"/benchmark/probe/{name}",
                    ["workspace"] = "/benchmark/probe",
                    ["relativePath"] = name,
                    ["content"] = Encoding.UTF8.GetString(content),
                    ["encoding"] = "utf8",
                    ["hash"] = Convert.ToHexStringLower(SHA256.HashData(content)),
                    ["size"] = content.Length,
                },
            };
            var bytes = Encoding.UTF8.GetBytes(frame.ToJsonString());
            var arrival = probeTracker.Expect(Path.Join(probeRoot, name), content);
            var start = Stopwatch.GetTimestamp();
            await socket
                .SendAsync(
                    bytes,
                    WebSocketMessageType.Text,
                    endOfMessage: true,
                    CancellationToken.None
                )
                .ConfigureAwait(false);
            if (
                await Task.WhenAny(arrival, Task.Delay(s_convergeTimeout)).ConfigureAwait(false)
                == arrival
            )
            {
                samples.Add(
                    Stopwatch
                        .GetElapsedTime(start, await arrival.ConfigureAwait(false))
                        .TotalMilliseconds
                );
            }
            await Task.Delay(100).ConfigureAwait(false);
        }
        await socket
            .CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None)
            .ConfigureAwait(false);
        await Task.WhenAny(drain, Task.Delay(2000)).ConfigureAwait(false);
        var server1 = LatencySummary.From(samples, files.Count - samples.Count);
        Measurements.AddLatency("diag.server", server1);
        Raw("diag.server").AddRange(samples);
        Log($"  server alone (frame sent → mirror file): {Describe(server1)}");

        static async Task DrainAsync(ClientWebSocket socket, byte[] buffer)
        {
            try
            {
                while (socket.State is WebSocketState.Open or WebSocketState.CloseSent)
                {
                    var result = await socket
                        .ReceiveAsync(buffer, CancellationToken.None)
                        .ConfigureAwait(false);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        break;
                    }
                }
            }
            catch (WebSocketException)
            {
                // The server went away: nothing more to read.
            }
        }
    }

    /// <summary>
    /// Scale: a workspace of <see cref="BenchmarkOptions.ScaleFiles"/> files, every run from an empty state
    /// folder (see below for the mirror). Scan+hash rate: files / (the agent logs
    /// "Connected" → the agent logs its manifest sent), which is the scan, the read and hash of every
    /// file (XxHash128: the server announces xxh128), and the manifest's serialization and send. RSS two
    /// seconds after file_done. The same scan+hash against a second server started with
    /// <c>--no-xxh128</c> on the same mirror gives the SHA-256 figure of the same run.
    /// </summary>
    private async Task RunScaleAsync()
    {
        Log($"scale: {options.ScaleFiles} files");
        var dir = Path.Join(options.WorkDirectory, "scale");
        var started = Stopwatch.GetTimestamp();
        var workspace = WorkspaceGenerator.Generate(
            Path.Join(dir, "big"),
            WorkspaceSpec.Scale(options.ScaleFiles, options.Seed + 1)
        );
        Log(
            $"  generated {workspace.Files.Count} files, {workspace.TotalBytes / 1e6:F0} MB, in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s"
        );
        Measurements.Add("scale.files", workspace.Files.Count);
        Measurements.Add("scale.mb", workspace.TotalBytes / 1e6);

        // One server for all runs: run 1 is a full initial sync into an empty mirror; later runs start the
        // agent with an empty state folder against the complete mirror (the server already holds every file
        // and its hash), so they re-measure the scan+hash and a resume without 50 000 more file writes.
        var mirror = Path.Join(dir, "mirror");
        await using var server = await ServerProcess
            .StartAsync(options.ServerExecutable, mirror)
            .ConfigureAwait(false);
        ServerProcess? sha256Server = null;
        try
        {
            await RunScaleRoundsAsync().ConfigureAwait(false);
        }
        finally
        {
            if (sha256Server is not null)
            {
                await sha256Server.DisposeAsync().ConfigureAwait(false);
            }
        }

        async Task RunScaleRoundsAsync()
        {
            for (var run = 1; run <= options.ScaleRuns; run++)
            {
                if (_rsync)
                {
                    var target = Path.Join(dir, "rsync", workspace.Name);
                    var copy = await Peers.RsyncAsync(workspace.Root, target).ConfigureAwait(false);
                    Measurements.Add(
                        "scale.rsync.filesPerSecond",
                        workspace.Files.Count / copy.Elapsed.TotalSeconds
                    );
                    Measurements.Add("scale.rsync.s", copy.Elapsed.TotalSeconds);
                    Log(
                        $"  rsync initial copy {copy.Elapsed.TotalSeconds:F2} s ({workspace.Files.Count / copy.Elapsed.TotalSeconds:F0} files/s)"
                    );
                    Directory.Delete(Path.Join(dir, "rsync"), recursive: true);
                }

                var state = Path.Join(dir, "state");
                // Run 1 fills the mirror with the default (XxHash128) server; the SHA-256 server on the same
                // mirror is then measured in alternating order, so neither always has the warmer page cache.
                var sha256First = run % 2 == 0 && sha256Server is not null;
                if (sha256First)
                {
                    await MeasureSha256ScanHashAsync(sha256Server!, workspace, state)
                        .ConfigureAwait(false);
                }
                var measured = await MeasureScaleAgentAsync(server, workspace, state)
                    .ConfigureAwait(false);
                var (scan, total, peak, rss) = (
                    measured.Scan,
                    measured.Total,
                    measured.Peak,
                    measured.Rss
                );
                Measurements.Add("scale.scanHash.s", scan);
                Measurements.Add("scale.scanHash.filesPerSecond", workspace.Files.Count / scan);
                var kind = run == 1 ? "initial" : "resume";
                Measurements.Add($"scale.{kind}.s", total);
                Measurements.Add($"scale.{kind}.filesPerSecond", workspace.Files.Count / total);
                Measurements.Add($"scale.{kind}.peakRss.mb", peak / 1e6);
                Measurements.Add($"scale.{kind}.rssAfter.mb", rss / 1e6);
                Log(
                    $"  agent ({kind}): scan+hash {scan:F2} s ({workspace.Files.Count / scan:F0} files/s), start → file_done {total:F1} s, RSS {rss / 1e6:F0} MB (peak {peak / 1e6:F0})"
                );
                if (run == 1)
                {
                    NoteScalePeak(measured);
                    RequireMirrorEqual(
                        Path.Join(mirror, workspace.Name),
                        "agent scale initial sync",
                        workspace
                    );
                    sha256Server = await ServerProcess
                        .StartAsync(options.ServerExecutable, mirror, 0, ["--no-xxh128"])
                        .ConfigureAwait(false);
                }
                if (!sha256First && sha256Server is not null)
                {
                    await MeasureSha256ScanHashAsync(sha256Server, workspace, state)
                        .ConfigureAwait(false);
                }
                Directory.Delete(state, recursive: true);
            }
        }
    }
}
