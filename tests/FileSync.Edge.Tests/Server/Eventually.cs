using System.Diagnostics;

namespace FileSync.Edge.Tests.Server;

/// <summary>Waits for a condition by polling it under a named deadline (never a bare sleep).</summary>
internal static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan s_pollInterval = TimeSpan.FromMilliseconds(20);

    public static Task UntilAsync(
        Func<bool> condition,
        string description,
        TimeSpan? timeout = null
    ) => UntilAsync(() => Task.FromResult(condition()), description, timeout);

    public static async Task UntilAsync(
        Func<Task<bool>> condition,
        string description,
        TimeSpan? timeout = null
    )
    {
        await UntilAsync(async () => await condition() ? true : (bool?)null, description, timeout);
    }

    /// <summary>Polls <paramref name="probe"/> until it returns non-null and returns that value.</summary>
    public static async Task<T> UntilAsync<T>(
        Func<Task<T?>> probe,
        string description,
        TimeSpan? timeout = null
    )
        where T : struct
    {
        var limit = Debugger.IsAttached ? TimeSpan.MaxValue : timeout ?? DefaultTimeout;
        var watch = Stopwatch.StartNew();
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }
            if (watch.Elapsed > limit)
            {
                throw new TimeoutException(
                    $"Timed out after {limit.TotalSeconds:F0}s waiting for: {description}"
                );
            }
            await Task.Delay(s_pollInterval);
        }
    }

    /// <summary>Polls <paramref name="probe"/> until <paramref name="done"/> holds for its result, and returns it.</summary>
    public static async Task<T> UntilAsync<T>(
        Func<Task<T>> probe,
        Func<T, bool> done,
        string description,
        TimeSpan? timeout = null
    )
    {
        var limit = Debugger.IsAttached ? TimeSpan.MaxValue : timeout ?? DefaultTimeout;
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }
            if (watch.Elapsed > limit)
            {
                throw new TimeoutException(
                    $"Timed out after {limit.TotalSeconds:F0}s waiting for: {description}; last value: {value}"
                );
            }
            await Task.Delay(s_pollInterval);
        }
    }
}
