using System.Net.WebSockets;
using FileSync.Edge.Uplink;
using FileSync.Protocol.Transport;

namespace FileSync.Edge.Tests.Uplink;

/// <summary>The keepalive's one timer, stepped on a fake clock.</summary>
public sealed class KeepAliveWatchTests : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(20);
    private readonly TestTimeProvider _time = new();
    private readonly TransportActivity _activity;
    private readonly UplinkTransport _transport;
    private TimeSpan? _deadAfter;

    public KeepAliveWatchTests()
    {
        _activity = new TransportActivity(_time);
        _transport = new UplinkTransport(
            new ClientWebSocket(),
            new HttpMessageInvoker(new SocketsHttpHandler()),
            _activity,
            raw: null
        );
    }

    private KeepAliveWatch Watch() =>
        new(_transport, s_timeout, _time, quiet => _deadAfter = quiet);

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

    [Fact]
    public void AnIdleHealthyConnection_IsCheckedOncePerTimeoutAtMost()
    {
        using var watch = Watch();
        var firedBefore = _time.FiredCount;
        // Ten minutes of a pong every 10 s: no tick in between.
        for (var second = 1; second <= 600; second++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            if (second % 10 == 0)
            {
                _activity.OnRead(2);
            }
        }
        Assert.Null(_deadAfter);
        Assert.InRange(_time.FiredCount - firedBefore, 1, 600 / 10);
    }

    public void Dispose() => _transport.Dispose();
}
