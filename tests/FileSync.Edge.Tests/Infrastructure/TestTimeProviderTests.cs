namespace FileSync.Edge.Tests.Infrastructure;

/// <summary>
/// The test clock's own promise, which every fake-clock test leans on: a timer that
/// <see cref="TestTimeProvider.WaitForTimersAsync"/> saw armed fires on the next advance past its due time.
/// </summary>
public sealed class TestTimeProviderTests
{
    [Fact]
    public async Task TimerArmedOnAnotherThread_SeenArmed_FiresOnTheNextAdvance()
    {
        // The code under test arms its timers on its own thread while the test waits and advances. The
        // clock used to count a timer as armed a moment before the fake's timer existed; an advance in
        // that moment moved the clock past it, and the timer then came due 10 ms after the new time.
        for (var round = 0; round < 10_000; round++)
        {
            var time = new TestTimeProvider();
            var fired = new TaskCompletionSource(
                TaskCreationOptions.RunContinuationsAsynchronously
            );
            var arming = Task.Run(() =>
                time.CreateTimer(
                    _ => fired.TrySetResult(),
                    null,
                    TimeSpan.FromMilliseconds(10),
                    Timeout.InfiniteTimeSpan
                )
            );

            // Looks as tightly as it can, to hit the moment right after the timer is counted.
            Assert.True(SpinWait.SpinUntil(() => time.ActiveTimerCount > 0, Wait.Generous));
            time.Advance(TimeSpan.FromMilliseconds(10));

            Assert.True(fired.Task.IsCompleted, $"round {round}: an armed timer did not fire");
            (await arming).Dispose();
        }
    }

    [Fact]
    public void TimerDueAtOnce_FiresInsideCreateTimer_AndIsNeverCountedArmed()
    {
        var time = new TestTimeProvider();
        var fired = 0;

        using var timer = time.CreateTimer(
            _ => fired++,
            null,
            TimeSpan.Zero,
            Timeout.InfiniteTimeSpan
        );

        Assert.Equal(1, fired);
        Assert.Equal(0, time.ActiveTimerCount);
    }

    [Fact]
    public void ChangedTimer_CountedWhileDue_NotAfterItFiredOrWasStopped()
    {
        var time = new TestTimeProvider();
        using var timer = time.CreateTimer(
            _ => { },
            null,
            Timeout.InfiniteTimeSpan,
            Timeout.InfiniteTimeSpan
        );
        Assert.Equal(0, time.ActiveTimerCount);

        timer.Change(TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        Assert.Equal(1, time.ActiveTimerCount);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(0, time.ActiveTimerCount);

        timer.Change(TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        Assert.Equal(0, time.ActiveTimerCount);
    }
}
