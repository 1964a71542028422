using System.Net.WebSockets;
using FileSync.Edge.Uplink;
using FileSync.Protocol.Transport;

namespace FileSync.Edge.Tests.Uplink;

/// <summary>The keepalive's one timer, stepped on a fake clock; its pings go into a memory stream.</summary>
public sealed class KeepAliveWatchTests : IDisposable
{
    private static readonly TimeSpan s_interval = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(20);
    private readonly TestTimeProvider _time = new();
    private readonly TransportActivity _activity;
    private readonly KeepAlivePingStream _pings;
    private readonly UplinkTransport _transport;
    private TimeSpan? _deadAfter;

    public KeepAliveWatchTests()
    {
        _activity = new TransportActivity(_time);
        _pings = new KeepAlivePingStream(new MemoryStream(), _activity);
        _pings.StartFraming();
        _transport = new UplinkTransport(
            new ClientWebSocket(),
            new HttpMessageInvoker(new SocketsHttpHandler()),
            _activity,
            raw: null,
            _pings
        );
    }

    private KeepAliveWatch Watch() =>
        new(_transport, s_interval, s_timeout, _time, quiet => _deadAfter = quiet);

    /// <summary>Steps the clock a second at a time; a server that is alive answers each ping at once.</summary>
    private void RunFor(TimeSpan span, bool serverAnswers)
    {
        for (var second = 0; second < span.TotalSeconds; second++)
        {
            var pingsBefore = _pings.PingsSent;
            _time.Advance(TimeSpan.FromSeconds(1));
            if (serverAnswers && _pings.PingsSent > pingsBefore)
            {
                _activity.OnRead(10); // the pong
            }
        }
    }

    [Fact]
    public void IdleAndAnswered_OnePingPerInterval_AndNoOtherWakeUp()
    {
        using var watch = Watch();
        var firedBefore = _time.FiredCount;

        RunFor(TimeSpan.FromMinutes(10), serverAnswers: true);

        Assert.Null(_deadAfter);
        // The first ping comes after 10 s of quiet, then one every 10 s (a pong moves the spell on).
        Assert.InRange(_pings.PingsSent, 55, 61);
        // The timer fires for the first early look and then once per ping: no tick in between, so an
        // idle agent wakes no more than once in 10 s for its keepalive.
        Assert.InRange(_time.FiredCount - firedBefore, 55, 600 / 10 + 2);
    }

    [Fact]
    public void NoAnswer_OnePingThenDeadAtTheTimeout()
    {
        using var watch = Watch();

        RunFor(s_timeout - TimeSpan.FromSeconds(1), serverAnswers: false);
        Assert.Null(_deadAfter);
        Assert.Equal(1, _pings.PingsSent);

        RunFor(TimeSpan.FromSeconds(1), serverAnswers: false);
        Assert.Equal(s_timeout, _deadAfter);
        Assert.Equal(1, _pings.PingsSent);
    }

    [Fact]
    public void IntervalLongerThanTheTimeout_PingsAtHalfTheTimeout()
    {
        using var watch = new KeepAliveWatch(
            _transport,
            TimeSpan.FromSeconds(60),
            s_timeout,
            _time,
            quiet => _deadAfter = quiet
        );

        RunFor(TimeSpan.FromMinutes(3), serverAnswers: true);

        Assert.Null(_deadAfter);
        Assert.InRange(_pings.PingsSent, 16, 19);
    }

    [Fact]
    public void NothingMoves_DeadAtTheTimeout_NotBefore()
    {
        using var watch = Watch();
        for (var second = 1; second < s_timeout.TotalSeconds; second++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
        }
        Assert.Null(_deadAfter);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(s_timeout, _deadAfter);
    }

    [Fact]
    public void SomethingMoved_TheDeadlineMovesWithIt()
    {
        using var watch = Watch();
        _time.Advance(TimeSpan.FromSeconds(15));
        _activity.OnRead(2); // a pong
        _time.Advance(TimeSpan.FromSeconds(15)); // 30 s in, 15 s quiet
        Assert.Null(_deadAfter);
        _time.Advance(TimeSpan.FromSeconds(5)); // 20 s quiet
        Assert.Equal(s_timeout, _deadAfter);
    }

    public void Dispose() => _transport.Dispose();
}
