using FileSync.Edge.Workspace.Pipeline;

namespace FileSync.Edge.Tests.Workspace.Pipeline;

/// <summary>When a batch is due, stepped with a fake clock (nothing here waits on real time).</summary>
public sealed class BatchClockTests
{
    private static readonly TimeSpan s_interval = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan s_settle = TimeSpan.FromMilliseconds(10);
    private readonly TestTimeProvider _time = new();
    private readonly BatchClock _clock;

    public BatchClockTests()
    {
        _clock = new BatchClock(s_interval, s_settle, _time);
        // Long after any batch: the next change is a leading edge.
        _time.Advance(TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task AfterAQuietPeriod_ACompleteChangeGoesOutAtOnce()
    {
        var due = _clock.WaitUntilDueAsync(() => false, CancellationToken.None);
        await due.WaitAsync(Wait.Generous);
        Assert.Equal(0, _time.ActiveTimerCount);
    }

    [Fact]
    public async Task AfterAQuietPeriod_AChangeInTheMakingWaitsTheSettleTime()
    {
        var due = _clock.WaitUntilDueAsync(() => true, CancellationToken.None);
        await _time.WaitForTimersAsync();
        _time.Advance(s_settle - TimeSpan.FromMilliseconds(1));
        Assert.False(due.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await due.WaitAsync(Wait.Generous);
    }

    [Fact]
    public async Task TheSettleWaitEnds_AsSoonAsEveryChangeIsComplete()
    {
        var unsettled = true;
        var due = _clock.WaitUntilDueAsync(
            () => Volatile.Read(ref unsettled),
            CancellationToken.None
        );
        await _time.WaitForTimersAsync();
        Assert.False(due.IsCompleted);
        Volatile.Write(ref unsettled, false);
        _clock.Wake(); // the watcher saw the file closed
        await due.WaitAsync(Wait.Generous);
    }

    [Fact]
    public async Task WhileBusy_ChangesWaitForTheBatchInterval()
    {
        _clock.OnBatchSent();
        _time.Advance(TimeSpan.FromMilliseconds(100));
        var due = _clock.WaitUntilDueAsync(() => false, CancellationToken.None);
        await _time.WaitForTimersAsync();
        _time.Advance(TimeSpan.FromMilliseconds(399));
        Assert.False(due.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await due.WaitAsync(Wait.Generous);
    }

    [Fact]
    public async Task WhileBusy_NoBatchComesSoonerThanTheSettleTime()
    {
        _clock.OnBatchSent();
        _time.Advance(s_interval - TimeSpan.FromMilliseconds(2));
        var due = _clock.WaitUntilDueAsync(() => false, CancellationToken.None);
        await _time.WaitForTimersAsync();
        _time.Advance(TimeSpan.FromMilliseconds(2));
        Assert.False(due.IsCompleted);
        _time.Advance(s_settle);
        await due.WaitAsync(Wait.Generous);
    }

    [Fact]
    public async Task Wake_IsKept_UntilTheLoopWaits()
    {
        _clock.Wake();
        _clock.Wake();
        await _clock.WaitForWakeAsync(CancellationToken.None).WaitAsync(Wait.Generous);
        var next = _clock.WaitForWakeAsync(CancellationToken.None);
        Assert.False(next.IsCompleted); // two wakes before one wait are one
        _clock.Wake();
        await next.WaitAsync(Wait.Generous);
    }
}
