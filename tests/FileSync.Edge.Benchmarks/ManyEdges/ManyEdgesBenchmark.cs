using System.Diagnostics;
using System.Text;
using FileSync.Edge.Benchmarks.Measuring;
using FileSync.Edge.Benchmarks.Processes;

namespace FileSync.Edge.Benchmarks.ManyEdges;

/// <summary>
/// Many edges at once against one server process (issue #27). Per edge count N: a fresh server;
/// N real <c>filesync-edge</c> processes (each its own identity, config, state folder and workspace
/// of <see cref="BenchmarkOptions.EdgeFiles"/> files) started at once; the time until
/// <c>/api/status</c> shows every workspace complete; then live edits spread over the edges, each
/// timed from its write to its arrival in the mirror. All the while the admin API is polled (every
/// 100 ms; its latency is a figure) and the server's RSS, CPU and open file descriptors are
/// sampled. Nothing is asserted about time; a run that does not converge says so.
/// </summary>
internal static class ManyEdgesBenchmark
{
    private static readonly TimeSpan s_convergeTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan s_editTimeout = TimeSpan.FromSeconds(60);

    public static async Task<int> RunAsync(BenchmarkOptions options)
    {
        var started = DateTimeOffset.UtcNow;
        var results = new List<ManyEdgesResult>();
        var notes = new List<string>();
        var exitCode = 0;
        foreach (var count in options.ManyEdges)
        {
            try
            {
                results.Add(await RunOneAsync(options, count, notes).ConfigureAwait(false));
            }
            catch (Exception ex) when (ex is BenchmarkException or TimeoutException or IOException)
            {
                notes.Add($"N = {count}: the run stopped early: {ex.Message.Split('\n')[0]}");
                await Console.Error.WriteLineAsync($"N = {count} failed: {ex.Message}");
                exitCode = 1;
            }
        }
        var report = ManyEdgesReport.Build(options, results, notes, started);
        Console.Out.Write(report);
        if (options.OutputFile is { } output)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(output)!);
            await File.WriteAllTextAsync(output, report).ConfigureAwait(false);
        }
        return exitCode;
    }

    private static async Task<ManyEdgesResult> RunOneAsync(
        BenchmarkOptions options,
        int count,
        List<string> notes
    )
    {
        Log($"N = {count}: generating {count} workspaces of {options.EdgeFiles} files");
        var work = Path.Join(options.WorkDirectory, $"edges-{count}");
        if (Directory.Exists(work))
        {
            Directory.Delete(work, recursive: true);
        }
        var workspaces = Enumerable
            .Range(0, count)
            .Select(i =>
                Generate(Path.Join(work, "edges", $"e{i}", $"ws{i}"), options.EdgeFiles, i)
            )
            .ToList();
        var mirror = Path.Join(work, "mirror");
        Directory.CreateDirectory(mirror);

        await using var server = await ServerProcess
            .StartAsync(options.ServerExecutable, mirror)
            .ConfigureAwait(false);
        // The tracker's inotify instance first: agents beyond the user's instance limit fall back to polling.
        using var tracker = new MirrorTracker(mirror);
        using var admin = new AdminProbe(server);
        var agents = new List<ChildProcess>(count);
        try
        {
            var cpu0 = ProcStats.Read(server.Process.Id);
            var start = Stopwatch.GetTimestamp();
            for (var i = 0; i < count; i++)
            {
                agents.Add(StartAgent(options, server.EdgeUrl, workspaces[i], i, work));
            }
            Log($"  {count} agents started; waiting for every workspace to be complete");
            try
            {
                await admin
                    .WaitUntilAsync(
                        s => s.CompleteWorkspaces(options.EdgeFiles) >= count,
                        s_convergeTimeout,
                        () =>
                            $"{admin.Last?.CompleteWorkspaces(options.EdgeFiles) ?? 0} of {count} workspaces complete, {agents.Count(a => a.HasExited)} agents exited"
                    )
                    .ConfigureAwait(false);
            }
            finally
            {
                NoteExitedAgents(agents, count, notes);
            }
            var converged = Stopwatch.GetElapsedTime(start);
            var cpu1 = ProcStats.Read(server.Process.Id);
            var syncAdmin = admin.TakeLatencies();
            Log($"  converged in {converged.TotalSeconds:F1} s");

            var latencies = await EditAsync(options, workspaces, mirror, tracker)
                .ConfigureAwait(false);
            var cpu2 = ProcStats.Read(server.Process.Id);
            var editAdmin = admin.TakeLatencies();
            var polling = agents.Count(a =>
                a.Lines.Any(l =>
                    l.Contains("rescan", StringComparison.OrdinalIgnoreCase)
                    && l.Contains("watch", StringComparison.OrdinalIgnoreCase)
                )
            );
            if (polling > 0)
            {
                notes.Add(
                    $"N = {count}: {polling} agents could not watch (the user's inotify instance limit, fs.inotify.max_user_instances) and polled instead; their edits arrive after the next rescan."
                );
            }
            return new ManyEdgesResult(
                count,
                converged.TotalSeconds,
                ProcStats.CpuPercent(cpu0, cpu1),
                (cpu1.CpuTicks - cpu0.CpuTicks) / (double)Libc.ClockTicksPerSecond,
                ProcStats.CpuPercent(cpu1, cpu2),
                cpu2.PeakRssBytes,
                cpu1.RssBytes,
                admin.PeakFileDescriptors,
                LatencySummary.From(latencies.Arrived, latencies.Lost),
                LatencySummary.From(syncAdmin, 0),
                LatencySummary.From(editAdmin, 0),
                polling
            );
        }
        finally
        {
            foreach (var agent in agents)
            {
                agent.Terminate();
            }
            foreach (var agent in agents)
            {
                await agent.DisposeAsync().ConfigureAwait(false);
            }
            if (!options.Keep)
            {
                Directory.Delete(Path.Join(work, "edges"), recursive: true);
            }
        }
    }

    /// <summary>Agents that ended on their own, by exit code, with their last lines: what broke.</summary>
    private static void NoteExitedAgents(List<ChildProcess> agents, int count, List<string> notes)
    {
        foreach (var group in agents.Where(a => a.HasExited).GroupBy(a => a.ExitCode))
        {
            var last = group.First().Tail(3).ReplaceLineEndings(" | ");
            notes.Add(
                $"N = {count}: {group.Count()} agents exited with code {group.Key} during the sync; one's last lines: {last}"
            );
        }
    }

    private static ChildProcess StartAgent(
        BenchmarkOptions options,
        string serverUrl,
        string workspace,
        int index,
        string work
    )
    {
        var state = Path.Join(work, "state", $"e{index}");
        Directory.CreateDirectory(state);
        return ChildProcess.Start(
            $"edge-{index}",
            options.AgentExecutable,
            [
                workspace,
                "--server",
                serverUrl,
                "--config",
                Path.Join(state, "no-config.json"),
                "--name",
                $"bench-edge-{index}",
                "--log-level",
                "Warning",
            ],
            new Dictionary<string, string?> { ["FILESYNC_STATE_DIR"] = state }
        );
    }

    /// <summary>Edits spread round-robin over the edges, 50 ms apart, each awaited in the mirror.</summary>
    private static async Task<(List<double> Arrived, int Lost)> EditAsync(
        BenchmarkOptions options,
        List<string> workspaces,
        string mirror,
        MirrorTracker tracker
    )
    {
        var pending = new List<(long Written, Task<long> Arrival)>();
        for (var edit = 0; edit < options.EdgeEdits; edit++)
        {
            var edge = edit % workspaces.Count;
            var relative = $"d{edit % 10}/f{edit % options.EdgeFiles}.txt";
            var source = Path.Join(workspaces[edge], relative);
            var content = Encoding.UTF8.GetBytes(
                $"edit {edit} of edge {edge}\n{new string('e', 200)}\n"
            );
            var mirrorPath = Path.Join(mirror, Path.GetFileName(workspaces[edge]), relative);
            var arrival = tracker.Expect(mirrorPath, content);
            var written = Stopwatch.GetTimestamp();
            await File.WriteAllBytesAsync(source, content).ConfigureAwait(false);
            pending.Add((written, arrival));
            await Task.Delay(50).ConfigureAwait(false);
        }
        var arrived = new List<double>();
        var lost = 0;
        foreach (var (written, arrival) in pending)
        {
            try
            {
                var at = await arrival.WaitAsync(s_editTimeout).ConfigureAwait(false);
                arrived.Add(Stopwatch.GetElapsedTime(written, at).TotalMilliseconds);
            }
            catch (TimeoutException)
            {
                lost++;
            }
        }
        return (arrived, lost);
    }

    /// <summary>A workspace of <paramref name="files"/> text files of 1–4 KB in ten folders.</summary>
    private static string Generate(string root, int files, int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < files; i++)
        {
            var path = Path.Join(root, $"d{i % 10}", $"f{i}.txt");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var line = $"edge {seed} file {i} ";
            var size = random.Next(1024, 4096);
            var text = new StringBuilder(size + line.Length);
            while (text.Length < size)
            {
                text.Append(line);
            }
            File.WriteAllText(path, text.ToString());
        }
        return root;
    }

    private static readonly Stopwatch s_clock = Stopwatch.StartNew();

    private static void Log(string line) =>
        Console.Error.WriteLine($"[{s_clock.Elapsed.TotalSeconds, 7:F1} s] {line}");
}
