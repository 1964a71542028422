namespace FileSync.Edge.Uplink;

/// <summary>
/// A timer whose callback runs on its own background thread, which sleeps in one timed wait until the
/// timer is due (see <see cref="OwnThreadTimeProvider"/>). The thread ends when the timer is disposed.
/// </summary>
internal sealed class OwnThreadTimer : ITimer
{
    private readonly object _gate = new();
    private readonly TimerCallback _callback;
    private readonly object? _state;
    private long _dueAt = long.MaxValue;
    private long _periodMs = -1;
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
                    : Environment.TickCount64 + Milliseconds(dueTime);
            _periodMs = period == Timeout.InfiniteTimeSpan ? -1 : Math.Max(1, Milliseconds(period));
            Monitor.Pulse(_gate);
            return true;
        }
    }

    private static long Milliseconds(TimeSpan span) => (long)Math.Ceiling(span.TotalMilliseconds);

    private void Run()
    {
        lock (_gate)
        {
            while (!_disposed)
            {
                var now = Environment.TickCount64;
                if (_dueAt > now)
                {
                    var wait =
                        _dueAt == long.MaxValue
                            ? Timeout.Infinite
                            : (int)Math.Min(_dueAt - now, int.MaxValue);
                    Monitor.Wait(_gate, wait);
                    continue;
                }
                _dueAt = _periodMs < 0 ? long.MaxValue : now + _periodMs;
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
