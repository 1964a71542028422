using System.Diagnostics;

namespace FileSync.Edge.Tests.Infrastructure;

/// <summary>Bounded waits on conditions and tasks; no limit under a debugger.</summary>
public static class Wait
{
    /// <summary>Generous deadline for things that must happen (sync over a real socket, real file events).</summary>
    public static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    /// <summary>Short deadline for "nothing happened" checks.</summary>
    public static readonly TimeSpan Short = TimeSpan.FromSeconds(2);

    public static async Task UntilAsync(
        Func<bool> condition,
        TimeSpan deadline,
        Func<string> describe
    )
    {
        await UntilAsync(() => Task.FromResult(condition()), deadline, describe);
    }

    public static async Task UntilAsync(
        Func<Task<bool>> condition,
        TimeSpan deadline,
        Func<string> describe
    )
    {
        var stopwatch = Stopwatch.StartNew();
        var delay = 10;
        while (true)
        {
            if (await condition())
            {
                return;
            }
            if (stopwatch.Elapsed > deadline && !Debugger.IsAttached)
            {
                throw new TimeoutException(
                    $"Condition not met within {deadline.TotalSeconds:F0} s: {describe()}"
                );
            }
            // Polling interval, not synchronisation: the condition is re-checked until the deadline.
            await Task.Delay(delay);
            delay = Math.Min(delay * 2, 100);
        }
    }

    public static async Task<T> OrTimeout<T>(
        this Task<T> task,
        TimeSpan? deadline = null,
        string? what = null
    )
    {
        if (Debugger.IsAttached)
        {
            return await task;
        }
        try
        {
            return await task.WaitAsync(deadline ?? Generous);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException(
                $"Timed out after {(deadline ?? Generous).TotalSeconds:F0} s waiting for {what ?? "a task"}"
            );
        }
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
        try
        {
            await task.WaitAsync(deadline ?? Generous);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException(
                $"Timed out after {(deadline ?? Generous).TotalSeconds:F0} s waiting for {what ?? "a task"}"
            );
        }
    }
}
