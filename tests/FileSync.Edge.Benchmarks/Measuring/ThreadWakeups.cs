namespace FileSync.Edge.Benchmarks.Measuring;

/// <summary>
/// Context switches (voluntary + involuntary) of every thread of a process, from
/// <c>/proc/&lt;pid&gt;/task/*/status</c>: each one is a wake-up of that thread. Two readings give
/// the wake-ups per second of the process and which threads cause them.
/// </summary>
internal sealed class ThreadWakeups
{
    private readonly Dictionary<int, (string Name, long Switches)> _threads;

    private ThreadWakeups(Dictionary<int, (string Name, long Switches)> threads) =>
        _threads = threads;

    public static ThreadWakeups Read(int pid)
    {
        var threads = new Dictionary<int, (string, long)>();
        foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            try
            {
                var name = File.ReadAllText(Path.Join(task, "comm")).Trim();
                long switches = 0;
                foreach (var line in File.ReadLines(Path.Join(task, "status")))
                {
                    if (
                        line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal)
                        || line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal)
                    )
                    {
                        switches += long.Parse(
                            line.AsSpan(line.IndexOf(':') + 1).Trim(),
                            System.Globalization.CultureInfo.InvariantCulture
                        );
                    }
                }
                threads[
                    int.Parse(
                        Path.GetFileName(task),
                        System.Globalization.CultureInfo.InvariantCulture
                    )
                ] = (name, switches);
            }
            catch (IOException)
            {
                // The thread ended between the listing and the read: it has no more wake-ups to count.
            }
        }
        return new ThreadWakeups(threads);
    }

    /// <summary>Wake-ups between this reading and a later one, per thread (threads started in between count from zero).</summary>
    public IReadOnlyList<(int Tid, string Name, long Wakeups)> Since(ThreadWakeups earlier) =>
        [
            .. _threads
                .Select(t =>
                    (
                        t.Key,
                        t.Value.Name,
                        t.Value.Switches
                            - (
                                earlier._threads.TryGetValue(t.Key, out var before)
                                    ? before.Switches
                                    : 0
                            )
                    )
                )
                .OrderByDescending(t => t.Item3),
        ];
}
