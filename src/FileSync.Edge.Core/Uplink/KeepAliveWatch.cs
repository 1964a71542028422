namespace FileSync.Edge.Uplink;

/// <summary>
/// The connection's keepalive, on one timer. When nothing has moved for the ping interval it sends a ping
/// (once per quiet spell); when nothing has moved, either way, for the timeout it drops the connection. A
/// pong is not awaited as such: on a slow link it waits behind the upload the agent itself queued, so bytes
/// of ours draining out of the send queue count as movement too. The timer is armed for the next moment
/// something is due and moved on whenever something moved: an idle agent wakes once per ping interval,
/// never on a periodic tick.
/// </summary>
internal sealed class KeepAliveWatch : IDisposable
{
    /// <summary>Never re-check sooner than this (bytes that moved a moment before the check).</summary>
    private static readonly TimeSpan s_minimumWait = TimeSpan.FromMilliseconds(100);

    private readonly UplinkTransport _transport;
    private readonly TimeSpan _interval;
    private readonly TimeSpan _timeout;
    private readonly Action<TimeSpan> _onDead;
    private readonly ITimer _timer;

    /// <summary>When the quiet spell that the last ping was sent in began (<see cref="FileSync.Protocol.Transport.TransportActivity.LastMoved"/>).</summary>
    private long _pingedInSpell = -1;

    /// <param name="interval">Quiet time after which a ping is sent (at most half the timeout).</param>
    /// <param name="timeout">Quiet time after which the connection is dead.</param>
    /// <param name="onDead">Called once, on a timer thread, with how long nothing had moved.</param>
    public KeepAliveWatch(
        UplinkTransport transport,
        TimeSpan interval,
        TimeSpan timeout,
        TimeProvider time,
        Action<TimeSpan> onDead
    )
    {
        _transport = transport;
        // At least two pings per timeout, or an idle connection to a server that never speaks first would die.
        _interval = Min(interval, timeout / 2);
        _timeout = timeout;
        _onDead = onDead;
        // The send queue's size now is where "shrinking" is measured from at the first check.
        transport.ObserveSendQueue();
        _timer = time.CreateTimer(
            static state => ((KeepAliveWatch)state!).Check(),
            this,
            // The first look comes early: a connection starts with a sync whose upload fills the queue.
            Min(timeout / 4, interval),
            Timeout.InfiniteTimeSpan
        );
    }

    private void Check()
    {
        var queued = _transport.ObserveSendQueue();
        var spell = _transport.Activity.LastMoved;
        var quiet = _transport.Activity.Quiet;
        if (quiet >= _timeout)
        {
            _onDead(quiet);
            return;
        }
        var wait = _timeout - quiet;
        if (spell != _pingedInSpell)
        {
            // A ping a little early rather than a second wake-up a moment later: the pong of the last ping
            // came a few milliseconds after that ping, so this spell is a few milliseconds short of it.
            if (quiet >= _interval - _interval / 10)
            {
                _transport.SendPing();
                _pingedInSpell = spell;
            }
            else
            {
                wait = Min(wait, _interval - quiet);
            }
        }
        // Bytes of ours still queued (an upload draining through a slow link): look again at a quarter
        // of the timeout, so the queue's shrinking is seen between the writes that refill it.
        if (queued > 0)
        {
            wait = Min(wait, _timeout / 4);
        }
        _timer.Change(wait < s_minimumWait ? s_minimumWait : wait, Timeout.InfiniteTimeSpan);
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    public void Dispose() => _timer.Dispose();
}
