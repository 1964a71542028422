using System.Diagnostics;

namespace FileSync.Edge.Uplink;

/// <summary>
/// A timer whose callback runs on its own background thread, which sleeps in one timed wait until the
/// timer is due (see <see cref="OwnThreadTimeProvider"/>). The thread ends when the timer is disposed.
/// Due times are kept on the precise monotonic clock (<see cref="Stopwatch"/>), the one the wait itself
/// sleeps on: with <see cref="Environment.TickCount64"/> (a coarse clock on Linux, a few milliseconds
/// behind) the thread could wake on time, see the timer not yet due, and sleep again for a millisecond or
/// two before firing (seen in strace of the published agent: up to three waits for one ping).
/// </summary>
internal sealed class OwnThreadTimer : ITimer
{
    private readonly object _gate = new();
    private readonly TimerCallback _callback;
    private readonly object? _state;

    /// <summary>When the timer is due, a <see cref="Stopwatch.GetTimestamp"/> value.</summary>
    private long _dueAt = long.MaxValue;

    /// <summary>The period in <see cref="Stopwatch"/> ticks; -1 for none.</summary>
    private long _period = -1;
    private bool _disposed;

    public OwnThreadTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        _callback = callback;
        _state = state;
        Change(dueTime, period);
        new Thread(Run) { IsBackground = true, Name = "FileSync keepalive" }.Start();
    }

    public bool Change(TimeSpan dueTime, TimeSpan period)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return false;
            }
            _dueAt =
                dueTime == Timeout.InfiniteTimeSpan
                    ? long.MaxValue
                    : Stopwatch.GetTimestamp() + Ticks(dueTime);
            _period = period == Timeout.InfiniteTimeSpan ? -1 : Math.Max(1, Ticks(period));
            Monitor.Pulse(_gate);
            return true;
        }
    }

    /// <summary>A span in <see cref="Stopwatch"/> ticks, capped far below overflow when added to a timestamp.</summary>
    private static long Ticks(TimeSpan span) =>
        (long)Math.Min(Math.Ceiling(span.TotalSeconds * Stopwatch.Frequency), long.MaxValue / 4);

    /// <summary>Whole milliseconds, rounded up: a wait never ends before the timer is due.</summary>
    private static int WaitMilliseconds(long ticks) =>
        (int)Math.Min(Math.Ceiling(ticks * 1000.0 / Stopwatch.Frequency), int.MaxValue);

    private void Run()
    {
        lock (_gate)
        {
            while (!_disposed)
            {
                var now = Stopwatch.GetTimestamp();
                if (_dueAt > now)
                {
                    Monitor.Wait(
                        _gate,
                        _dueAt == long.MaxValue ? Timeout.Infinite : WaitMilliseconds(_dueAt - now)
                    );
                    continue;
                }
                _dueAt = _period < 0 ? long.MaxValue : now + _period;
                Monitor.Exit(_gate);
                try
                {
                    _callback(_state);
                }
                finally
                {
                    Monitor.Enter(_gate);
                }
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            Monitor.Pulse(_gate);
        }
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
