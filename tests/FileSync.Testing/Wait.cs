using System.Diagnostics;

namespace FileSync.Testing;

/// <summary>
/// Bounded waits on conditions and tasks, with no limit under a debugger. A condition is polled (10 ms,
/// growing to 100 ms) until it holds or its deadline passes; the poll interval is never a synchronisation.
/// </summary>
public static class Wait
{
    /// <summary>Generous deadline for things that must happen (sync over a real socket, real file events).</summary>
    public static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Long deadline for a wait that runs through one of the agent's own timeouts (the default keepalive
    /// notices a frozen server within 25 s) or through a whole large workload (20,000 files, a churn round,
    /// a thousand fuzz commands, a server restarted mid-sync) on a loaded 2-core machine.
    /// </summary>
    public static readonly TimeSpan Long = TimeSpan.FromMinutes(2);

    /// <summary>Short deadline for "nothing happened" checks.</summary>
    public static readonly TimeSpan Short = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan s_firstPoll = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan s_longestPoll = TimeSpan.FromMilliseconds(100);

    public static Task UntilAsync(Func<bool> condition, TimeSpan deadline, Func<string> describe) =>
        UntilAsync(() => Task.FromResult(condition()), deadline, describe);

    public static async Task UntilAsync(
        Func<Task<bool>> condition,
        TimeSpan deadline,
        Func<string> describe
    ) => await UntilAsync(condition, done => done, deadline, _ => describe());

    /// <summary>Waits under <paramref name="deadline"/> (default <see cref="Generous"/>) for a condition named by <paramref name="description"/>.</summary>
    public static Task UntilAsync(
        Func<bool> condition,
        string description,
        TimeSpan? deadline = null
    ) => UntilAsync(condition, deadline ?? Generous, () => description);

    /// <inheritdoc cref="UntilAsync(Func{bool}, string, TimeSpan?)"/>
    public static Task UntilAsync(
        Func<Task<bool>> condition,
        string description,
        TimeSpan? deadline = null
    ) => UntilAsync(condition, deadline ?? Generous, () => description);

    /// <summary>Polls <paramref name="probe"/> until it returns non-null, and returns that value.</summary>
    public static async Task<T> UntilAsync<T>(
        Func<Task<T?>> probe,
        string description,
        TimeSpan? deadline = null
    )
        where T : struct =>
        (
            await UntilAsync(
                probe,
                value => value is not null,
                deadline ?? Generous,
                _ => description
            )
        ).GetValueOrDefault();

    /// <summary>Polls <paramref name="probe"/> until <paramref name="done"/> holds for its result, and returns it.</summary>
    public static Task<T> UntilAsync<T>(
        Func<Task<T>> probe,
        Func<T, bool> done,
        string description,
        TimeSpan? deadline = null
    ) =>
        UntilAsync(probe, done, deadline ?? Generous, last => $"{description}; last value: {last}");

    /// <summary>
    /// The one polling loop: <paramref name="probe"/> until <paramref name="done"/> holds for its result,
    /// which is returned; on timeout <paramref name="describe"/> gets the last result for the message.
    /// </summary>
    public static async Task<T> UntilAsync<T>(
        Func<Task<T>> probe,
        Func<T, bool> done,
        TimeSpan deadline,
        Func<T, string> describe
    )
    {
        var started = Stopwatch.GetTimestamp();
        var poll = s_firstPoll;
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }
            if (Stopwatch.GetElapsedTime(started) > deadline && !Debugger.IsAttached)
            {
                throw new TimeoutException(
                    $"Condition not met within {deadline.TotalSeconds:F0} s: {describe(value)}"
                );
            }
            // Polling interval, not synchronisation: the condition is re-checked until the deadline.
            await Task.Delay(poll);
            poll = TimeSpan.FromTicks(Math.Min(poll.Ticks * 2, s_longestPoll.Ticks));
        }
    }

    public static async Task<T> OrTimeout<T>(
        this Task<T> task,
        TimeSpan? deadline = null,
        string? what = null
    )
    {
        await ((Task)task).OrTimeout(deadline, what);
        return await task;
    }

    public static async Task OrTimeout(
        this Task task,
        TimeSpan? deadline = null,
        string? what = null
    )
    {
        if (Debugger.IsAttached)
        {
            await task;
            return;
        }
        var limit = deadline ?? Generous;
        try
        {
            await task.WaitAsync(limit);
        }
        catch (TimeoutException) when (!task.IsCompleted)
        {
            throw new TimeoutException(
                $"Timed out after {limit.TotalSeconds:F0} s waiting for {what ?? "a task"}"
            );
        }
    }
}
