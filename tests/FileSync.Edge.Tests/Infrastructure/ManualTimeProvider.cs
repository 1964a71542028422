namespace FileSync.Edge.Tests.Infrastructure;

/// <summary>
/// A clock that moves only when told. <see cref="Advance"/> fires due timers in wake-up order;
/// <see cref="WaitForTimersAsync"/> lets a test wait until the code under test has armed a timer.
/// </summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private readonly Lock _gate = new();
    private readonly List<ManualTimer> _timers = [];
    private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private long _ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp()
    {
        lock (_gate)
        {
            return _ticks;
        }
    }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    public int ActiveTimerCount
    {
        get
        {
            lock (_gate)
            {
                return _timers.Count(t => t.DueTicks is not null);
            }
        }
    }

    /// <summary>Completes when at least <paramref name="count"/> timers are armed.</summary>
    public async Task WaitForTimersAsync(int count = 1, TimeSpan? deadline = null)
    {
        await Wait.UntilAsync(
            () => ActiveTimerCount >= count,
            deadline ?? Wait.Generous,
            () => $"{count} armed timer(s), have {ActiveTimerCount}"
        );
    }

    public override ITimer CreateTimer(
        TimerCallback callback,
        object? state,
        TimeSpan dueTime,
        TimeSpan period
    )
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Moves the clock forward, firing every timer that falls due, in order.</summary>
    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        long target;
        lock (_gate)
        {
            target = _ticks + by.Ticks;
        }
        while (true)
        {
            ManualTimer? next;
            lock (_gate)
            {
                next = _timers
                    .Where(t => t.DueTicks is { } due && due <= target)
                    .OrderBy(t => t.DueTicks)
                    .FirstOrDefault();
                if (next is null)
                {
                    _now += TimeSpan.FromTicks(target - _ticks);
                    _ticks = target;
                    return;
                }
                var due = next.DueTicks!.Value;
                _now += TimeSpan.FromTicks(due - _ticks);
                _ticks = due;
                next.DueTicks = next.PeriodTicks > 0 ? due + next.PeriodTicks : null;
            }
            next.Fire();
        }
    }

    private void Register(ManualTimer timer)
    {
        lock (_gate)
        {
            if (!_timers.Contains(timer))
            {
                _timers.Add(timer);
            }
        }
    }

    private void Unregister(ManualTimer timer)
    {
        lock (_gate)
        {
            _timers.Remove(timer);
        }
    }

    private sealed class ManualTimer(
        ManualTimeProvider owner,
        TimerCallback callback,
        object? state
    ) : ITimer
    {
        public long? DueTicks { get; set; }
        public long PeriodTicks { get; set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._gate)
            {
                DueTicks =
                    dueTime == Timeout.InfiniteTimeSpan
                        ? null
                        : owner._ticks + Math.Max(0, dueTime.Ticks);
                PeriodTicks = period == Timeout.InfiniteTimeSpan ? 0 : period.Ticks;
            }
            owner.Register(this);
            return true;
        }

        public void Fire() => callback(state);

        public void Dispose() => owner.Unregister(this);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
