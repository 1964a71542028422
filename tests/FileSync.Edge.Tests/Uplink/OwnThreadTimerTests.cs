using FileSync.Edge.Uplink;

namespace FileSync.Edge.Tests.Uplink;

/// <summary>The keepalive's timer on a thread of its own, on the real clock.</summary>
public sealed class OwnThreadTimerTests
{
    [Fact]
    public async Task Due_RunsTheCallbackOnItsOwnThread_NotThePool()
    {
        var ran = new TaskCompletionSource<(bool Pool, string? Name)>(
            TaskCreationOptions.RunContinuationsAsynchronously
        );
        using var timer = OwnThreadTimeProvider.Instance.CreateTimer(
            _ =>
                ran.TrySetResult(
                    (Thread.CurrentThread.IsThreadPoolThread, Thread.CurrentThread.Name)
                ),
            null,
            TimeSpan.FromMilliseconds(1),
            Timeout.InfiniteTimeSpan
        );

        var (pool, name) = await ran.Task.WaitAsync(Wait.Generous);

        Assert.False(pool);
        Assert.Equal("FileSync keepalive", name);
    }

    [Fact]
    public async Task ReArmedFromItsCallback_FiresAgain_AndStopsWhenDisposed()
    {
        var fired = 0;
        ITimer? timer = null;
        timer = OwnThreadTimeProvider.Instance.CreateTimer(
            _ =>
            {
                if (Interlocked.Increment(ref fired) < 3)
                {
                    timer!.Change(TimeSpan.FromMilliseconds(1), Timeout.InfiniteTimeSpan);
                }
            },
            null,
            Timeout.InfiniteTimeSpan,
            Timeout.InfiniteTimeSpan
        );
        timer.Change(TimeSpan.FromMilliseconds(1), Timeout.InfiniteTimeSpan);

        await Wait.UntilAsync(
            () => Volatile.Read(ref fired) == 3,
            Wait.Generous,
            () => $"fired {fired} times"
        );
        timer.Dispose();
        Assert.False(timer.Change(TimeSpan.Zero, Timeout.InfiniteTimeSpan));
        Assert.Equal(3, Volatile.Read(ref fired));
    }

    [Fact]
    public void NotTheSystemClock_TimersStayThatClocks()
    {
        var fake = new TestTimeProvider();

        Assert.Same(fake, OwnThreadTimeProvider.For(fake));
        Assert.Same(OwnThreadTimeProvider.Instance, OwnThreadTimeProvider.For(TimeProvider.System));
    }
}
