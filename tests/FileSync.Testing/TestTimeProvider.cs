using Microsoft.Extensions.Time.Testing;

namespace FileSync.Testing;

/// <summary>
/// <see cref="FakeTimeProvider"/> (time moves only on <see cref="FakeTimeProvider.Advance"/>, which fires
/// every timer that falls due, a <c>Task.Delay</c> on this clock included) plus the signal a test needs
/// before it advances: <see cref="WaitForTimersAsync"/> completes once the code under test has armed its
/// timers, so an advance never races the code that is about to start waiting.
/// </summary>
/// <remarks>
/// FakeTimeProvider moves the clock to the target first and then fires the due timers, so a callback
/// sees the target time; a timer armed by a callback is due relative to that time.
/// </remarks>
public sealed class TestTimeProvider : FakeTimeProvider
{
    /// <summary>The start of every test clock: fixed, so runs are alike.</summary>
    public static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly Lock _gate = new();
    private readonly HashSet<TrackedTimer> _armed = [];

    public TestTimeProvider()
        : base(Epoch) { }

    /// <summary>Timers that are due to fire (one-shot ones until they fire, periodic ones until stopped).</summary>
    public int ActiveTimerCount
    {
        get
        {
            lock (_gate)
            {
                return _armed.Count;
            }
        }
    }

    private long _fired;

    /// <summary>Timer callbacks run so far (every timer of this clock, one-shot and periodic).</summary>
    public long FiredCount => Interlocked.Read(ref _fired);

    /// <summary>Completes when at least <paramref name="count"/> timers are armed.</summary>
    public Task WaitForTimersAsync(int count = 1, TimeSpan? deadline = null) =>
        Wait.UntilAsync(
            () => ActiveTimerCount >= count,
            deadline ?? Wait.Generous,
            () => $"{count} armed timer(s), have {ActiveTimerCount}"
        );

    public override ITimer CreateTimer(
        TimerCallback callback,
        object? state,
        TimeSpan dueTime,
        TimeSpan period
    )
    {
        var tracked = new TrackedTimer(this, callback);
        // Counted as armed only once the fake's timer exists, so an advance after WaitForTimersAsync
        // always reaches it; one already due fires inside CreateTimer and is not counted at all.
        var generation = tracked.NextGeneration(dueTime, period);
        tracked.Attach(
            base.CreateTimer(
                static s =>
                {
                    var (timer, userState) = ((TrackedTimer, object?))s!;
                    timer.Fire(userState);
                },
                (tracked, state),
                dueTime,
                period
            )
        );
        tracked.Arm(generation, dueTime);
        return tracked;
    }

    private void SetArmed(TrackedTimer timer, bool armed)
    {
        if (armed)
        {
            _armed.Add(timer);
        }
        else
        {
            _armed.Remove(timer);
        }
    }

    private sealed class TrackedTimer(TestTimeProvider owner, TimerCallback callback) : ITimer
    {
        private ITimer? _inner;
        private bool _periodic;
        private bool _disposed;
        private int _generation;
        private int _firedGeneration = -1;

        /// <summary>Takes the fake's timer; one that fired and was disposed inside CreateTimer is disposed at once.</summary>
        public void Attach(ITimer inner)
        {
            _inner = inner;
            if (_disposed)
            {
                inner.Dispose();
            }
        }

        /// <summary>A new due time is about to be set: the generation <see cref="Arm"/> and <see cref="Fire"/> refer to.</summary>
        public int NextGeneration(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._gate)
            {
                _periodic = period != Timeout.InfiniteTimeSpan && period != TimeSpan.Zero;
                if (dueTime == Timeout.InfiniteTimeSpan)
                {
                    owner.SetArmed(this, armed: false);
                }
                return ++_generation;
            }
        }

        /// <summary>Counts the timer as armed once the fake's timer is set, unless it fired (or changed) since.</summary>
        public void Arm(int generation, TimeSpan dueTime)
        {
            lock (owner._gate)
            {
                var fired = !_periodic && _firedGeneration >= generation;
                var current = generation == _generation;
                if (dueTime != Timeout.InfiniteTimeSpan && !fired && current && !_disposed)
                {
                    owner.SetArmed(this, armed: true);
                }
            }
        }

        public void Fire(object? state)
        {
            lock (owner._gate)
            {
                if (!_periodic)
                {
                    _firedGeneration = _generation;
                    owner.SetArmed(this, armed: false);
                }
            }
            Interlocked.Increment(ref owner._fired);
            callback(state);
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            if (_disposed)
            {
                return false;
            }
            var generation = NextGeneration(dueTime, period);
            var changed = _inner?.Change(dueTime, period) ?? true;
            Arm(generation, dueTime);
            return changed;
        }

        public void Dispose()
        {
            lock (owner._gate)
            {
                _disposed = true;
                owner.SetArmed(this, armed: false);
            }
            _inner?.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
