using System.Globalization;

namespace FileSync.Edge.Benchmarks.Measuring;

/// <summary>One reading of a process from /proc.</summary>
/// <param name="RssBytes">VmRSS: resident set size now.</param>
/// <param name="PeakRssBytes">VmHWM: the highest resident set size since the process started.</param>
/// <param name="CpuTicks">utime + stime, in clock ticks.</param>
internal readonly record struct ProcSample(
    long RssBytes,
    long PeakRssBytes,
    long CpuTicks,
    long Timestamp
);

internal static class ProcStats
{
    public static ProcSample Read(int pid)
    {
        long rss = 0,
            hwm = 0;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = ParseKilobytes(line);
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                hwm = ParseKilobytes(line);
            }
        }
        // Fields after the command name (which may contain spaces), counted from field 3 (state).
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var utime = long.Parse(fields[11], CultureInfo.InvariantCulture);
        var stime = long.Parse(fields[12], CultureInfo.InvariantCulture);
        return new ProcSample(rss, hwm, utime + stime, System.Diagnostics.Stopwatch.GetTimestamp());
    }

    /// <summary>CPU use between two samples as a percentage of one core.</summary>
    public static double CpuPercent(ProcSample from, ProcSample to)
    {
        var seconds = System
            .Diagnostics.Stopwatch.GetElapsedTime(from.Timestamp, to.Timestamp)
            .TotalSeconds;
        return seconds <= 0
            ? 0
            : (to.CpuTicks - from.CpuTicks) / (double)Libc.ClockTicksPerSecond / seconds * 100;
    }

    private static long ParseKilobytes(string line)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return long.Parse(parts[1], CultureInfo.InvariantCulture) * 1024;
    }
}
