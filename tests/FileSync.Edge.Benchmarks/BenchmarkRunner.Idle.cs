using System.Diagnostics;
using System.Globalization;
using FileSync.Edge.Benchmarks.Measuring;
using FileSync.Edge.Benchmarks.Processes;

namespace FileSync.Edge.Benchmarks;

/// <summary>What an idle process costs over a long window: wake-ups, CPU and memory.</summary>
/// <param name="WakeupsPerSecond">Context switches per second, summed over all threads.</param>
/// <param name="CpuSecondsPerHour">CPU time (user + system) the window used, scaled to an hour.</param>
/// <param name="Busiest">The threads that woke most, "name ×count", busiest first.</param>
/// <param name="Resident">Where the RSS is at the window's end (<see cref="ResidentMappings"/>).</param>
internal readonly record struct LongIdleSample(
    double WakeupsPerSecond,
    double CpuSecondsPerHour,
    double RssMb,
    string Busiest,
    string Resident
);

internal sealed partial class BenchmarkRunner
{
    /// <summary>
    /// The long idle window (issue #24): the agent (synced, connected, watching) and lsyncd (watching) each
    /// idle on their own untouched copy of the workspace, side by side in the same window, after a quiet
    /// period of 5 s; their wake-ups per thread, CPU and RSS are read from /proc at both ends.
    /// </summary>
    private async Task RunLongIdleAsync()
    {
        Log($"long idle: agent and lsyncd side by side for {options.IdleWindowSeconds} s");
        var dir = Path.Join(options.WorkDirectory, "long-idle");
        var server = await ServerProcess
            .StartAsync(options.ServerExecutable, Path.Join(dir, "mirror"))
            .ConfigureAwait(false);
        ChildProcess? agent = null;
        ChildProcess? lsyncd = null;
        try
        {
            var from = server.Process.LineCount;
            agent = AgentProcess.Start(
                options.AgentExecutable,
                _idleWorkspace.Root,
                server,
                Path.Join(dir, "state"),
                AgentSettings.Defaults
            );
            await server
                .WaitDoneAsync(_idleWorkspace.Name, from, s_syncTimeout)
                .ConfigureAwait(false);
            if (_lsyncd)
            {
                lsyncd = Peers.StartLsyncd(
                    _idleWorkspace.Root,
                    Path.Join(dir, "lsyncd", _idleWorkspace.Name),
                    Path.Join(dir, "lsyncd.lua")
                );
                await lsyncd
                    .WaitForLineAsync(Peers.IsLsyncdStartupDone, 0, s_syncTimeout)
                    .ConfigureAwait(false);
            }
            await Task.Delay(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            var agentSample = SampleLongIdleAsync(agent.Id, options.IdleWindowSeconds);
            var lsyncdSample = lsyncd is null
                ? null
                : SampleLongIdleAsync(lsyncd.Id, options.IdleWindowSeconds);
            Record("agent", await agentSample.ConfigureAwait(false));
            if (lsyncdSample is not null)
            {
                Record("lsyncd", await lsyncdSample.ConfigureAwait(false));
            }
        }
        finally
        {
            if (lsyncd is not null)
            {
                await lsyncd.DisposeAsync().ConfigureAwait(false);
            }
            if (agent is not null)
            {
                await agent.DisposeAsync().ConfigureAwait(false);
            }
            await server.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void Record(string who, LongIdleSample sample)
    {
        Measurements.Add($"longIdle.{who}.wakeups.perSecond", sample.WakeupsPerSecond);
        Measurements.Add($"longIdle.{who}.cpu.secondsPerHour", sample.CpuSecondsPerHour);
        Measurements.Add($"longIdle.{who}.rss.mb", sample.RssMb);
        Notes.Add(
            string.Create(
                CultureInfo.InvariantCulture,
                $"Idle {options.IdleWindowSeconds} s, {who}: wake-ups by thread: {sample.Busiest}."
            )
        );
        Notes.Add(
            string.Create(
                CultureInfo.InvariantCulture,
                $"Idle {options.IdleWindowSeconds} s, {who}: RSS {sample.RssMb:F1} MB at the end, by mapping: {sample.Resident}."
            )
        );
        Log(
            string.Create(
                CultureInfo.InvariantCulture,
                $"  {who}: {sample.WakeupsPerSecond:F2} wake-ups/s, {sample.CpuSecondsPerHour:F2} CPU-s/hour, RSS {sample.RssMb:F1} MB; threads: {sample.Busiest}"
            )
        );
    }

    private static async Task<LongIdleSample> SampleLongIdleAsync(int pid, int seconds)
    {
        var cpu0 = ProcStats.Read(pid);
        var threads0 = ThreadWakeups.Read(pid);
        var start = Stopwatch.GetTimestamp();
        await Task.Delay(TimeSpan.FromSeconds(seconds)).ConfigureAwait(false);
        var cpu1 = ProcStats.Read(pid);
        var resident = ResidentMappings.Describe(pid);
        var threads = ThreadWakeups.Read(pid).Since(threads0);
        var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var wakeups = threads.Sum(t => t.Wakeups);
        var busiest = string.Join(
            ", ",
            threads.Where(t => t.Wakeups > 0).Take(6).Select(t => $"{t.Name} ×{t.Wakeups}")
        );
        return new LongIdleSample(
            wakeups / elapsed,
            ProcStats.CpuPercent(cpu0, cpu1) / 100 * 3600,
            cpu1.RssBytes / 1e6,
            busiest.Length == 0 ? "none" : busiest,
            resident
        );
    }
}
