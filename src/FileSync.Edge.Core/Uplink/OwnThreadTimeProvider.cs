namespace FileSync.Edge.Uplink;

/// <summary>
/// The system clock, with timers that run their callback on a thread of their own instead of the thread
/// pool. A pool timer wakes the runtime's timer thread, which wakes a pool worker, which wakes a second
/// one and the pool's gate thread: about a dozen context switches for a callback that writes one ping.
/// A timer of this kind wakes its one thread. Only for short callbacks (the keepalive's): a callback
/// that blocks holds back the next one.
/// </summary>
internal sealed class OwnThreadTimeProvider : TimeProvider
{
    public static OwnThreadTimeProvider Instance { get; } = new();

    private OwnThreadTimeProvider() { }

    /// <summary>The system clock's timers on threads of their own; any other clock (a test's) as it is.</summary>
    public static TimeProvider For(TimeProvider time) => time == System ? Instance : time;

    public override ITimer CreateTimer(
        TimerCallback callback,
        object? state,
        TimeSpan dueTime,
        TimeSpan period
    ) => new OwnThreadTimer(callback, state, dueTime, period);
}
