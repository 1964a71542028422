namespace FileSync.Edge.Uplink;

/// <summary>
/// Drops a connection on which nothing has moved, either way, for the keepalive timeout. A pong is not
/// awaited as such: on a slow link it waits behind the upload the agent itself queued. One timer, armed
/// for the moment the connection would be dead if nothing moved until then, and moved on whenever
/// something did: an idle agent is woken once per timeout at most, never by a periodic tick.
/// </summary>
internal sealed class KeepAliveWatch : IDisposable
{
    /// <summary>Never re-check sooner than this (bytes that moved a moment before the check).</summary>
    private static readonly TimeSpan s_minimumWait = TimeSpan.FromMilliseconds(100);

    private readonly UplinkTransport _transport;
    private readonly TimeSpan _timeout;
    private readonly Action<TimeSpan> _onDead;
    private readonly ITimer _timer;

    /// <param name="onDead">Called once, on a timer thread, with how long nothing had moved.</param>
    public KeepAliveWatch(
        UplinkTransport transport,
        TimeSpan timeout,
        TimeProvider time,
        Action<TimeSpan> onDead
    )
    {
        _transport = transport;
        _timeout = timeout;
        _onDead = onDead;
        // The send queue's size now is where "shrinking" is measured from at the first check.
        transport.ObserveSendQueue();
        _timer = time.CreateTimer(
            static state => ((KeepAliveWatch)state!).Check(),
            this,
            // The first look comes early: a connection starts with a sync whose upload fills the queue.
            timeout / 4,
            Timeout.InfiniteTimeSpan
        );
    }

    private void Check()
    {
        var queued = _transport.ObserveSendQueue();
        var quiet = _transport.Activity.Quiet;
        if (quiet >= _timeout)
        {
            _onDead(quiet);
            return;
        }
        var wait = _timeout - quiet;
        // Bytes of ours still queued (an upload draining through a slow link): look again at a quarter
        // of the timeout, so the queue's shrinking is seen between the writes that refill it.
        if (queued > 0 && wait > _timeout / 4)
        {
            wait = _timeout / 4;
        }
        _timer.Change(wait < s_minimumWait ? s_minimumWait : wait, Timeout.InfiniteTimeSpan);
    }

    public void Dispose() => _timer.Dispose();
}
