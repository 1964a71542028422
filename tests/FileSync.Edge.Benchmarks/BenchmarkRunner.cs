using System.Diagnostics;
using System.Globalization;
using FileSync.Edge.Benchmarks.Generation;
using FileSync.Edge.Benchmarks.Measuring;
using FileSync.Edge.Benchmarks.Processes;

namespace FileSync.Edge.Benchmarks;

/// <summary>
/// Runs every measurement of issues #7 and #8 against real processes on loopback and records the figures
/// in <see cref="Measurements"/>, one value per round. A round measures the agent and its peers one after
/// the other on the same workspace; nothing is timed while another measured process is busy, except the
/// idle windows (see <see cref="RunRoundAsync"/>).
/// </summary>
internal sealed partial class BenchmarkRunner(BenchmarkOptions options, TextWriter progress)
{
    private static readonly TimeSpan s_syncTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan s_convergeTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Half the default batch interval: arrivals further apart than this belong to different batches.</summary>
    private const double BatchGapMs = 250;

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _revision;
    private GeneratedWorkspace _workspace = null!;
    private GeneratedWorkspace _idleWorkspace = null!;
    private bool _rsync;
    private bool _lsyncd;

    public Measurements Measurements { get; } = new();

    /// <summary>Things the reader of the report must know (skipped peers, anomalies).</summary>
    public List<string> Notes { get; } = [];

    public GeneratedWorkspace Workspace => _workspace;

    public TimeSpan Elapsed => _clock.Elapsed;

    public async Task RunAsync()
    {
        var work = options.WorkDirectory;
        if (Directory.Exists(work))
        {
            Directory.Delete(work, recursive: true);
        }
        Directory.CreateDirectory(work);

        _rsync = options.Peers && Peers.RsyncAvailable;
        _lsyncd = options.Peers && Peers.LsyncdAvailable;
        if (options.Peers && !_rsync)
        {
            Notes.Add("rsync is not installed: its columns are empty.");
        }
        if (options.Peers && !_lsyncd)
        {
            Notes.Add("lsyncd is not installed: its columns are empty.");
        }

        Log("generating the workspaces");
        var started = Stopwatch.GetTimestamp();
        _workspace = WorkspaceGenerator.Generate(
            Path.Join(work, "main", "proj"),
            WorkspaceSpec.Standard(options.Seed)
        );
        _idleWorkspace = WorkspaceGenerator.Generate(
            Path.Join(work, "idle", "proj"),
            WorkspaceSpec.Standard(options.Seed)
        );
        Log(
            $"  {_workspace.Files.Count} synced files, {_workspace.TotalBytes / 1e6:F1} MB, in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s"
        );

        if (options.WireOnly)
        {
            await RunWireAsync().ConfigureAwait(false);
            Log($"done in {_clock.Elapsed.TotalMinutes:F1} min");
            return;
        }
        for (var round = 1; round <= options.Runs; round++)
        {
            await RunRoundAsync(round).ConfigureAwait(false);
        }
        if (options.IdleWindowSeconds > 0)
        {
            await RunLongIdleAsync().ConfigureAwait(false);
        }
        if (options.Wire)
        {
            await RunWireAsync().ConfigureAwait(false);
        }
        if (options.Diagnostics)
        {
            await RunDiagnosticsAsync().ConfigureAwait(false);
        }
        if (options.ScaleFiles > 0)
        {
            await RunScaleAsync().ConfigureAwait(false);
        }
        Log($"done in {_clock.Elapsed.TotalMinutes:F1} min");
    }

    /// <summary>
    /// One round. In order: rsync initial copy; agent A (defaults): initial sync, edits 300 ms apart,
    /// isolated edits, burst, restart, reconnect; agent B (--batch-ms 50) edits 300 ms apart, while lsyncd
    /// idles on a second copy of the workspace; lsyncd: initial sync, edits 300 ms apart, burst, while an
    /// agent idles on the second copy; rsync burst and one-file update. Idle processes watch a workspace
    /// nobody touches, and their CPU and RSS are their own, so sampling them while another process is
    /// measured costs no accuracy and saves a minute per round.
    /// </summary>
    private async Task RunRoundAsync(int round)
    {
        Log($"round {round}/{options.Runs}");
        var dir = Path.Join(options.WorkDirectory, $"round{round}");
        var rsyncTarget = Path.Join(dir, "rsync", _workspace.Name);
        var lsyncdTarget = Path.Join(dir, "lsyncd", _workspace.Name);
        var stateA = Path.Join(dir, "state-agent");
        var mirrorA = Path.Join(dir, "mirror-agent");

        if (_rsync)
        {
            var copy = await Peers.RsyncAsync(_workspace.Root, rsyncTarget).ConfigureAwait(false);
            Measurements.Add("initial.rsync.s", copy.Elapsed.TotalSeconds);
            RequireMirrorEqual(rsyncTarget, "rsync initial copy");
            Log($"  rsync initial copy {copy.Elapsed.TotalSeconds:F2} s");
        }

        // Agent A at defaults.
        var server = await ServerProcess
            .StartAsync(options.ServerExecutable, mirrorA)
            .ConfigureAwait(false);
        ChildProcess? agent = null;
        try
        {
            var from = server.Process.LineCount;
            var start = Stopwatch.GetTimestamp();
            agent = AgentProcess.Start(
                options.AgentExecutable,
                _workspace.Root,
                server,
                stateA,
                AgentSettings.Defaults
            );
            var serverCpu0 = ProcStats.Read(server.Process.Id);
            var connected = await server
                .WaitConnectedAsync(from, s_syncTimeout)
                .ConfigureAwait(false);
            var agentCpu1 = ProcStats.Read(agent.Id);
            var manifest = await server
                .WaitManifestAsync(_workspace.Name, from, s_syncTimeout)
                .ConfigureAwait(false);
            var agentCpu2 = ProcStats.Read(agent.Id);
            var done = await server
                .WaitDoneAsync(_workspace.Name, from, s_syncTimeout)
                .ConfigureAwait(false);
            var peak = ProcStats.Read(agent.Id);
            var serverCpu3 = ProcStats.Read(server.Process.Id);
            Measurements.Add("initial.agent.s", Seconds(start, done.Timestamp));
            Measurements.Add("initial.agent.cpu.connect.s", CpuSeconds(agentCpu1.CpuTicks));
            Measurements.Add(
                "initial.agent.cpu.scan.s",
                CpuSeconds(agentCpu2.CpuTicks - agentCpu1.CpuTicks)
            );
            Measurements.Add(
                "initial.agent.cpu.send.s",
                CpuSeconds(peak.CpuTicks - agentCpu2.CpuTicks)
            );
            Measurements.Add(
                "initial.server.cpu.s",
                CpuSeconds(serverCpu3.CpuTicks - serverCpu0.CpuTicks)
            );
            Measurements.Add("initial.agent.connect.s", Seconds(start, connected.Timestamp));
            Measurements.Add(
                "initial.agent.scan.s",
                Seconds(connected.Timestamp, manifest.Timestamp)
            );
            Measurements.Add("initial.agent.send.s", Seconds(manifest.Timestamp, done.Timestamp));
            Measurements.Add("initial.agent.peakRss.mb", peak.PeakRssBytes / 1e6);
            await AddBreakdownAsync("initial", agent, server.Process, from).ConfigureAwait(false);
            var mirrorRoot = Path.Join(mirrorA, _workspace.Name);
            RequireMirrorEqual(mirrorRoot, "agent initial sync");
            Measurements.Add(
                "initial.agent.filesRead",
                await server.GetFilesReadAsync().ConfigureAwait(false)
            );
            await WaitUntilAsync(done.Timestamp, TimeSpan.FromSeconds(2)).ConfigureAwait(false);
            Measurements.Add("initial.agent.rssAfter.mb", ProcStats.Read(agent.Id).RssBytes / 1e6);
            Measurements.Add(
                "initial.agent.indexSaved",
                Directory.Exists(stateA) && Directory.EnumerateFiles(stateA, "index-*").Any()
                    ? 1
                    : 0
            );
            Log(
                $"  agent initial sync {Seconds(start, done.Timestamp):F2} s, peak RSS {peak.PeakRssBytes / 1e6:F0} MB"
            );

            using (var tracker = new MirrorTracker(mirrorRoot))
            {
                var latency = MeasureLatency(
                    tracker,
                    mirrorRoot,
                    options.Edits,
                    options.EditSpacingMs,
                    Pick(round, 1),
                    "latency.default"
                );
                Measurements.AddLatency("latency.default", latency);
                Log(
                    $"  agent defaults, edits {options.EditSpacingMs} ms apart: {Describe(latency)}"
                );
                if (options.IsolatedEdits > 0)
                {
                    var isolated = MeasureLatency(
                        tracker,
                        mirrorRoot,
                        options.IsolatedEdits,
                        options.IsolatedSpacingMs,
                        Pick(round, 2),
                        "latency.isolated"
                    );
                    Measurements.AddLatency("latency.isolated", isolated);
                    Log(
                        $"  agent defaults, isolated edits {options.IsolatedSpacingMs} ms apart: {Describe(isolated)}"
                    );
                }
                await Task.Delay(1000).ConfigureAwait(false);
                var before = await server.GetCountersAsync(_workspace.Name).ConfigureAwait(false);
                var burst = MeasureBurst(tracker, mirrorRoot, Pick(round, 3));
                var after = await server.GetCountersAsync(_workspace.Name).ConfigureAwait(false);
                Measurements.Add("burst.agent.s", burst.TotalMs / 1000);
                Measurements.Add("burst.agent.afterWrites.s", burst.AfterWritesMs / 1000);
                Measurements.Add("burst.agent.writes.s", burst.WritesMs / 1000);
                Measurements.Add("burst.agent.batches", burst.Clusters);
                Measurements.Add(
                    "burst.agent.messages",
                    after.Bodies + after.Delete - before.Bodies - before.Delete
                );
                Measurements.Add("burst.agent.lost", burst.Lost);
                AddTrackerNotes(tracker, "agent A");
                Log(
                    $"  agent burst of {options.BurstFiles}: {burst.TotalMs / 1000:F2} s, {burst.Clusters} batches, {after.Bodies - before.Bodies} messages"
                );
            }
            RequireMirrorEqual(mirrorRoot, "agent after the burst");

            // Restart: stop the agent, change one file, start it again on the same state folder.
            var countersBefore = await server
                .GetCountersAsync(_workspace.Name)
                .ConfigureAwait(false);
            var exitCode = await agent.StopAsync().ConfigureAwait(false);
            if (exitCode != 0)
            {
                Notes.Add(
                    $"round {round}: the agent exited with code {exitCode} on SIGTERM (expected 0)."
                );
            }
            await agent.DisposeAsync().ConfigureAwait(false);
            var changedBytes = EditOneFile(Pick(round, 4));
            await using var relay = new TcpRelay(server.Port);
            from = server.Process.LineCount;
            start = Stopwatch.GetTimestamp();
            agent = AgentProcess.Start(
                options.AgentExecutable,
                _workspace.Root,
                relay.WebSocketUri.ToString(),
                stateA,
                AgentSettings.Defaults
            );
            done = await server
                .WaitDoneAsync(_workspace.Name, from, s_syncTimeout)
                .ConfigureAwait(false);
            var restartSeconds = Seconds(start, done.Timestamp);
            var restartWire = (ToServer: relay.ToServer, ToEdge: relay.ToClient);
            var countersAfter = await server
                .GetCountersAsync(_workspace.Name)
                .ConfigureAwait(false);
            var filesRead = await server.GetFilesReadAsync().ConfigureAwait(false);
            Measurements.Add("restart.s", restartSeconds);
            Measurements.Add(
                "restart.contentBytes",
                countersAfter.ContentBytes - countersBefore.ContentBytes
            );
            Measurements.Add("restart.bodies", countersAfter.Bodies - countersBefore.Bodies);
            Measurements.Add("restart.filesRead", filesRead);
            Measurements.Add("restart.changedFile.bytes", changedBytes);
            Measurements.Add("restart.wire.toServer", restartWire.ToServer);
            Measurements.Add("restart.wire.toEdge", restartWire.ToEdge);
            RequireMirrorEqual(mirrorRoot, "agent after the restart");
            Log(
                $"  restart with 1 changed file ({changedBytes} B): {countersAfter.ContentBytes - countersBefore.ContentBytes} content bytes, {countersAfter.Bodies - countersBefore.Bodies} bodies, {filesRead} files read, {restartSeconds:F2} s"
            );

            // Reconnect: the agent keeps running while the server restarts on the same port; one file changes meanwhile.
            var filesReadBefore = filesRead;
            var wireBefore = relay.ToServer + relay.ToClient;
            var port = server.Port;
            await server.StopAsync().ConfigureAwait(false);
            await server.DisposeAsync().ConfigureAwait(false);
            changedBytes = EditOneFile(Pick(round, 5));
            start = Stopwatch.GetTimestamp();
            server = await ServerProcess
                .StartAsync(options.ServerExecutable, mirrorA, port)
                .ConfigureAwait(false);
            done = await server
                .WaitDoneAsync(_workspace.Name, 0, s_syncTimeout)
                .ConfigureAwait(false);
            var reconnectWire = relay.ToServer + relay.ToClient - wireBefore;
            var counters = await server.GetCountersAsync(_workspace.Name).ConfigureAwait(false);
            filesRead = await server.GetFilesReadAsync().ConfigureAwait(false);
            Measurements.Add("reconnect.s", Seconds(start, done.Timestamp));
            Measurements.Add("reconnect.contentBytes", counters.ContentBytes);
            Measurements.Add("reconnect.bodies", counters.Bodies);
            Measurements.Add("reconnect.filesRead", filesRead - filesReadBefore);
            Measurements.Add("reconnect.changedFile.bytes", changedBytes);
            Measurements.Add("reconnect.wire.bytes", reconnectWire);
            RequireMirrorEqual(mirrorRoot, "agent after the reconnect");
            Log(
                $"  reconnect with 1 changed file ({changedBytes} B): {counters.ContentBytes} content bytes, {counters.Bodies} bodies, {filesRead - filesReadBefore} files read, {Seconds(start, done.Timestamp):F2} s after the server restart"
            );

            // Agent B: --batch-ms 50, resumed from A's state (manifest: nothing to send).
            await agent.StopAsync().ConfigureAwait(false);
            await agent.DisposeAsync().ConfigureAwait(false);
            from = server.Process.LineCount;
            agent = AgentProcess.Start(
                options.AgentExecutable,
                _workspace.Root,
                server,
                stateA,
                new AgentSettings(BatchMs: 50)
            );
            await server.WaitDoneAsync(_workspace.Name, from, s_syncTimeout).ConfigureAwait(false);

            ChildProcess? idleLsyncd = null;
            Task<IdleSample>? lsyncdIdle = null;
            try
            {
                if (_lsyncd)
                {
                    idleLsyncd = Peers.StartLsyncd(
                        _idleWorkspace.Root,
                        Path.Join(dir, "lsyncd-idle", _idleWorkspace.Name),
                        Path.Join(dir, "lsyncd-idle.lua")
                    );
                    await idleLsyncd
                        .WaitForLineAsync(Peers.IsLsyncdStartupDone, 0, s_syncTimeout)
                        .ConfigureAwait(false);
                    await Task.Delay(1000).ConfigureAwait(false);
                    lsyncdIdle = SampleIdleAsync(idleLsyncd.Id, options.IdleSeconds);
                }
                using var tracker = new MirrorTracker(mirrorRoot);
                var latency = MeasureLatency(
                    tracker,
                    mirrorRoot,
                    options.Edits,
                    options.EditSpacingMs,
                    Pick(round, 6),
                    "latency.batch50"
                );
                Measurements.AddLatency("latency.batch50", latency);
                AddTrackerNotes(tracker, "agent B");
                Log(
                    $"  agent --batch-ms 50, edits {options.EditSpacingMs} ms apart: {Describe(latency)}"
                );
                if (lsyncdIdle is not null)
                {
                    var idle = await lsyncdIdle.ConfigureAwait(false);
                    Measurements.Add("idle.lsyncd.cpu.pct", idle.CpuPercent);
                    Measurements.Add("idle.lsyncd.rss.mb", idle.RssMb);
                    Measurements.Add("idle.lsyncd.maxRss.mb", idle.MaxRssMb);
                }
            }
            finally
            {
                if (idleLsyncd is not null)
                {
                    await idleLsyncd.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
        finally
        {
            if (agent is not null)
            {
                await agent.DisposeAsync().ConfigureAwait(false);
            }
            await server.DisposeAsync().ConfigureAwait(false);
        }

        // Idle agent on the untouched copy, sampled while lsyncd is measured.
        var idleServer = await ServerProcess
            .StartAsync(options.ServerExecutable, Path.Join(dir, "mirror-idle"))
            .ConfigureAwait(false);
        ChildProcess? idleAgent = null;
        try
        {
            var from = idleServer.Process.LineCount;
            idleAgent = AgentProcess.Start(
                options.AgentExecutable,
                _idleWorkspace.Root,
                idleServer,
                Path.Join(dir, "state-idle"),
                AgentSettings.Defaults
            );
            await idleServer
                .WaitDoneAsync(_idleWorkspace.Name, from, s_syncTimeout)
                .ConfigureAwait(false);
            await Task.Delay(1000).ConfigureAwait(false);
            var agentIdle = SampleIdleAsync(idleAgent.Id, options.IdleSeconds);
            if (_lsyncd)
            {
                await MeasureLsyncdAsync(round, dir, lsyncdTarget).ConfigureAwait(false);
            }
            var idle = await agentIdle.ConfigureAwait(false);
            Measurements.Add("idle.agent.cpu.pct", idle.CpuPercent);
            Measurements.Add("idle.agent.rss.mb", idle.RssMb);
            Measurements.Add("idle.agent.maxRss.mb", idle.MaxRssMb);
            Log(
                $"  agent idle {options.IdleSeconds} s: CPU {idle.CpuPercent:F3} %, RSS {idle.RssMb:F1} MB (max {idle.MaxRssMb:F1})"
            );
        }
        finally
        {
            if (idleAgent is not null)
            {
                await idleAgent.DisposeAsync().ConfigureAwait(false);
            }
            await idleServer.DisposeAsync().ConfigureAwait(false);
        }

        if (_rsync)
        {
            await MeasureRsyncUpdatesAsync(round, rsyncTarget).ConfigureAwait(false);
        }
        Directory.Delete(dir, recursive: true);
    }

    private async Task MeasureLsyncdAsync(int round, string dir, string target)
    {
        var start = Stopwatch.GetTimestamp();
        var lsyncd = Peers.StartLsyncd(_workspace.Root, target, Path.Join(dir, "lsyncd.lua"));
        try
        {
            var startup = await lsyncd
                .WaitForLineAsync(Peers.IsLsyncdStartupDone, 0, s_syncTimeout)
                .ConfigureAwait(false);
            Measurements.Add("initial.lsyncd.s", Seconds(start, startup.Timestamp));
            RequireMirrorEqual(target, "lsyncd startup copy");
            Log($"  lsyncd initial sync {Seconds(start, startup.Timestamp):F2} s");
            using var tracker = new MirrorTracker(target);
            var latency = MeasureLatency(
                tracker,
                target,
                options.Edits,
                options.EditSpacingMs,
                Pick(round, 7),
                "latency.lsyncd"
            );
            Measurements.AddLatency("latency.lsyncd", latency);
            Log($"  lsyncd, edits {options.EditSpacingMs} ms apart: {Describe(latency)}");
            await Task.Delay(1000).ConfigureAwait(false);
            var from = lsyncd.LineCount;
            var burst = MeasureBurst(tracker, target, Pick(round, 8));
            await Task.Delay(200).ConfigureAwait(false);
            var calls = lsyncd.LinesFrom(from).Count(l => Peers.IsLsyncdRsyncCall(l.Text));
            Measurements.Add("burst.lsyncd.s", burst.TotalMs / 1000);
            Measurements.Add("burst.lsyncd.rsyncCalls", calls);
            Measurements.Add("burst.lsyncd.lost", burst.Lost);
            AddTrackerNotes(tracker, "lsyncd");
            RequireMirrorEqual(target, "lsyncd after the burst");
            Log(
                $"  lsyncd burst of {options.BurstFiles}: {burst.TotalMs / 1000:F2} s, {calls} rsync calls"
            );
        }
        finally
        {
            await lsyncd.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// rsync as the copy floor for the burst and for a one-file change (bytes on its wire; the same file
    /// as the agent's restart). rsync's quick check compares size and whole-second mtime, and every edit
    /// here keeps the size, so edits start in a later second than the sync before them; otherwise rsync
    /// skips files and looks faster than it is.
    /// </summary>
    private async Task MeasureRsyncUpdatesAsync(int round, string target)
    {
        await Peers.RsyncAsync(_workspace.Root, target).ConfigureAwait(false);
        await WaitForNextSecondAsync().ConfigureAwait(false);
        var picks = PickFiles(Pick(round, 9), options.BurstFiles);
        foreach (var relative in picks)
        {
            File.WriteAllBytes(
                _workspace.FullPath(relative),
                _workspace.MakeEdit(relative, ++_revision)
            );
        }
        var burst = await Peers.RsyncAsync(_workspace.Root, target).ConfigureAwait(false);
        Measurements.Add("burst.rsync.s", burst.Elapsed.TotalSeconds);
        await WaitForNextSecondAsync().ConfigureAwait(false);
        var changedBytes = EditOneFile(Pick(round, 4));
        var one = await Peers.RsyncAsync(_workspace.Root, target).ConfigureAwait(false);
        Measurements.Add("restart.rsync.literalBytes", one.LiteralBytes);
        Measurements.Add("restart.rsync.totalBytesSent", one.TotalBytesSent);
        Measurements.Add("restart.rsync.s", one.Elapsed.TotalSeconds);
        Measurements.Add("restart.rsync.changedFile.bytes", changedBytes);
        RequireMirrorEqual(target, "rsync after the updates");
        Log(
            $"  rsync burst {burst.Elapsed.TotalSeconds:F2} s; one changed file ({changedBytes} B): literal {one.LiteralBytes} B, total sent {one.TotalBytesSent} B"
        );
    }

    private static double Seconds(long from, long to) =>
        Stopwatch.GetElapsedTime(from, to).TotalSeconds;

    private static async Task WaitForNextSecondAsync()
    {
        var now = DateTime.UtcNow;
        await Task.Delay(
                TimeSpan.FromSeconds(1)
                    - TimeSpan.FromTicks(now.Ticks % TimeSpan.TicksPerSecond)
                    + TimeSpan.FromMilliseconds(50)
            )
            .ConfigureAwait(false);
    }

    private static double CpuSeconds(long ticks) => ticks / (double)Libc.ClockTicksPerSecond;

    private static async Task WaitUntilAsync(long since, TimeSpan duration)
    {
        var remaining = duration - Stopwatch.GetElapsedTime(since);
        if (remaining > TimeSpan.Zero)
        {
            await Task.Delay(remaining).ConfigureAwait(false);
        }
    }

    private ulong Pick(int round, int purpose) =>
        options.Seed * 1_000_003UL + (ulong)(round * 100 + purpose);

    /// <summary><paramref name="count"/> distinct synced files (never the .gitignore, whose change means a rescan).</summary>
    private List<string> PickFiles(ulong seed, int count)
    {
        var candidates = _workspace
            .Files.Where(f => f.RelativePath != ".gitignore")
            .Select(f => f.RelativePath)
            .ToList();
        return new SplitMix64(seed)
            .Sample(candidates.Count, Math.Min(count, candidates.Count))
            .Select(i => candidates[i])
            .ToList();
    }

    private int EditOneFile(ulong seed)
    {
        var relative = PickFiles(seed, 1)[0];
        var content = _workspace.MakeEdit(relative, ++_revision);
        File.WriteAllBytes(_workspace.FullPath(relative), content);
        return content.Length;
    }

    private void AddTrackerNotes(MirrorTracker tracker, string who)
    {
        if (tracker.FallbackHits > 0 || tracker.Overflows > 0)
        {
            Notes.Add(
                $"{who}: {tracker.FallbackHits} arrivals were seen by the fallback check rather than by their inotify event, and {tracker.Overflows} inotify overflows occurred (a fallback arrival is timed at the check, at most one 50 ms poll period after the change)."
            );
        }
    }

    private static string Describe(LatencySummary latency) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"p50 {latency.P50:F1} ms, p90 {latency.P90:F1}, p99 {latency.P99:F1}, max {latency.Max:F1} (n={latency.Count}, lost {latency.Lost})"
        );

    private void Log(string message)
    {
        progress.WriteLine(
            string.Create(
                CultureInfo.InvariantCulture,
                $"[{_clock.Elapsed.TotalSeconds, 6:F1} s] {message}"
            )
        );
        progress.Flush();
    }

    /// <summary>
    /// Reads where the initial sync's time went from the agent's and the server's lines after it
    /// (<see cref="SyncBreakdown"/>); a program that does not log them (an older build) leaves the rows empty.
    /// </summary>
    private async Task AddBreakdownAsync(
        string prefix,
        ChildProcess agent,
        ChildProcess server,
        int serverFrom
    )
    {
        async Task<string?> LineOf(ChildProcess process, string marker, int from)
        {
            try
            {
                var line = await process
                    .WaitForLineAsync(
                        l => l.Contains(marker, StringComparison.Ordinal),
                        from,
                        s_breakdownWait
                    )
                    .ConfigureAwait(false);
                return line.Text;
            }
            catch (ChildProcessException)
            {
                Notes.Add(
                    $"{process.Name} logged no \"{marker}\" line: its time breakdown is empty."
                );
                return null;
            }
        }
        SyncBreakdown.Add(
            Measurements,
            prefix,
            await LineOf(agent, SyncBreakdown.AgentMarker, 0).ConfigureAwait(false),
            await LineOf(server, SyncBreakdown.ServerMarker, serverFrom).ConfigureAwait(false)
        );
    }

    private static readonly TimeSpan s_breakdownWait = TimeSpan.FromSeconds(10);
}
