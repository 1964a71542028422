using System.Net.WebSockets;
using System.Text;
using FileSync.Edge.Control;
using FileSync.Edge.Tests.Infrastructure;
using FileSync.Edge.Uplink;
using FileSync.Edge.Workspace;
using FileSync.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FileSync.Edge.Tests.Control;

/// <summary>
/// The real uplink and control stage against a server that sends what no well-behaved server would:
/// every frame the agent cannot accept is answered with one <c>error</c> and the connection stays up.
/// </summary>
public class HostileFrameTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly CancellationTokenSource _stop = new();
    private HostileServer _server = null!;
    private LogSink _logs = null!;
    private ILoggerFactory _loggerFactory = null!;
    private UplinkConnection _uplink = null!;
    private WorkspaceRegistry _registry = null!;
    private ControlDispatcher _dispatcher = null!;
    private Task? _control;
    private HostileConnection _connection = null!;

    public async Task InitializeAsync()
    {
        _server = await HostileServer.StartAsync();
        _logs = new LogSink(output);
        _loggerFactory = LoggerFactory.Create(builder =>
            builder.SetMinimumLevel(LogLevel.Debug).AddProvider(_logs)
        );
        _uplink = new UplinkConnection(
            new UplinkOptions { Server = _server.Uri, Fingerprint = "hostile-test" },
            new FixedDelayPolicy(),
            TimeProvider.System,
            _loggerFactory.CreateLogger<UplinkConnection>()
        );
        (_registry, _dispatcher) = ControlStack.Create(
            _uplink,
            _loggerFactory,
            new SyncOptions { RescanMinutes = 0 }
        );
        await _uplink.StartAsync();
        _connection = await _server.AcceptAsync();
        await _connection.SendHelloAsync(capabilities: HelloCapabilities);
        await Wait.UntilAsync(
            () => _uplink.Session is not null,
            Wait.Generous,
            () => "the handshake"
        );
    }

    /// <summary>What the hostile server announces in <c>connected_edge</c> (JSON array elements).</summary>
    protected virtual string HelloCapabilities => "";

    private protected HostileConnection Connection => _connection;

    private protected UplinkConnection Uplink => _uplink;

    private protected void StartControlStage() => StartControl();

    private protected Task AssertConnectedAsync(long epoch) => AssertStillConnectedAsync(epoch);

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_control is not null)
        {
            await _control;
        }
        await _registry.DisposeAsync();
        await _uplink.DisposeAsync();
        await _server.DisposeAsync();
        _loggerFactory.Dispose();
        _stop.Dispose();
    }

    private void StartControl() => _control = _dispatcher.RunAsync(_uplink.Commands, _stop.Token);

    private static string StatusRequest(string requestId) =>
        $$$"""{"type":"edge:status_request","payload":{"requestId":"{{{requestId}}}"}}""";

    /// <summary>A status request padded with trailing whitespace (valid JSON) to exactly <paramref name="bytes"/> bytes.</summary>
    private static byte[] PaddedStatusRequest(string requestId, int bytes)
    {
        var frame = Encoding.UTF8.GetBytes(StatusRequest(requestId));
        var padded = new byte[bytes];
        padded.AsSpan().Fill((byte)' ');
        frame.CopyTo(padded, 0);
        return padded;
    }

    /// <summary>The connection still works: the same socket answers a status request.</summary>
    private async Task AssertStillConnectedAsync(long epoch)
    {
        await _connection.SendTextAsync(StatusRequest("after"));
        await _connection.ReceiveStatusAsync("after");
        Assert.Equal(epoch, _uplink.Session?.Epoch);
        Assert.Equal(1, _server.ConnectionCount);
    }

    public static TheoryData<string> MalformedFrames =>
        new()
        {
            "not json at all",
            "",
            "[1,2,3]",
            "{\"type\": ",
            "{\"payload\":{}}",
            """{"type":"\ud800","payload":{}}""",
            """{"type":"file:chunk_request","payload":5}""",
            "{\"type\":\"x\",\"payload\":"
                + string.Concat(Enumerable.Repeat("[", 100))
                + new string(']', 100)
                + "}",
        };

    [Theory]
    [MemberData(nameof(MalformedFrames))]
    public async Task Frame_Malformed_OneErrorReplyAndTheConnectionStays(string frame)
    {
        StartControl();
        var epoch = _uplink.Session!.Epoch;

        await _connection.SendTextAsync(frame);

        var error = await _connection.ReceiveErrorAsync(ErrorCodes.MalformedMessage);
        Assert.False(string.IsNullOrWhiteSpace(error.Payload.GetProperty("message").GetString()));
        await AssertStillConnectedAsync(epoch);
        Assert.Single(_logs.Entries, e => e.EventId.Name == "CommandRejected");
    }

    [Fact]
    public async Task Frame_Binary_OneErrorReplyAndTheConnectionStays()
    {
        StartControl();
        var epoch = _uplink.Session!.Epoch;

        await _connection.SendAsync(
            Encoding.UTF8.GetBytes(StatusRequest("binary")),
            WebSocketMessageType.Binary
        );

        var error = await _connection.ReceiveErrorAsync(ErrorCodes.MalformedMessage);
        Assert.Contains(
            _uplink.Session!.Format == WireFormat.MessagePack ? "MessagePack" : "binary",
            error.Payload.GetProperty("message").GetString()
        );
        await AssertStillConnectedAsync(epoch);
    }

    [Fact]
    public async Task Frame_ExactlyTheLimit_Accepted()
    {
        StartControl();

        await _connection.SendAsync(
            PaddedStatusRequest("exact", ProtocolMessage.MaxFrameBytes),
            WebSocketMessageType.Text
        );

        await _connection.ReceiveStatusAsync("exact");
    }

    [Theory]
    [InlineData(ProtocolMessage.MaxFrameBytes + 1)]
    [InlineData(6 * 1024 * 1024)] // Between 5 MB and the 8 MB a pooled buffer happens to have.
    [InlineData(12 * 1024 * 1024)]
    public async Task Frame_OverTheLimit_DroppedWithOneErrorAndTheConnectionStays(int size)
    {
        StartControl();
        var epoch = _uplink.Session!.Epoch;

        await _connection.SendAsync(
            PaddedStatusRequest("too-big", size),
            WebSocketMessageType.Text
        );

        var error = await _connection.ReceiveErrorAsync(ErrorCodes.MalformedMessage);
        Assert.Contains(
            $"{size} bytes is larger than the limit",
            error.Payload.GetProperty("message").GetString()
        );
        await AssertStillConnectedAsync(epoch);
    }

    [Fact]
    public async Task ConnectedEdge_SecondOnTheSameConnection_ErrorAndTheSessionIsKept()
    {
        StartControl();
        var session = _uplink.Session!;

        await _connection.SendHelloAsync("someone-else");

        var error = await _connection.ReceiveErrorAsync(ErrorCodes.MalformedMessage);
        Assert.Contains("connected_edge", error.Payload.GetProperty("message").GetString());
        Assert.Same(session, _uplink.Session);
        await AssertStillConnectedAsync(session.Epoch);
    }

    [Fact]
    public async Task Flood_MoreCommandsThanTheQueueHolds_ReadingPausesAndNothingIsLost()
    {
        const int count = 400;
        var sending = Task.Run(async () =>
        {
            for (var i = 0; i < count; i++)
            {
                await _connection.SendTextAsync(StatusRequest($"flood-{i}"));
            }
        });

        // Without a consumer the queue fills to its bound and the socket is no longer read.
        await Wait.UntilAsync(
            () => _uplink.CommandQueueWaits > 0,
            Wait.Generous,
            () => $"the receive loop to wait for room, {_uplink.Commands.Count} queued"
        );
        Assert.Equal(256, _uplink.Commands.Count);
        StartControl();

        await sending.OrTimeout(Wait.Generous, "all commands sent");
        for (var i = 0; i < count; i++)
        {
            await _connection.ReceiveStatusAsync($"flood-{i}");
        }
    }

    [Fact]
    public async Task Flood_LargeFrames_QueuedBytesStayWithinTheBudget()
    {
        const int frames = 6;
        const int size = 3 * 1024 * 1024;
        var sending = Task.Run(async () =>
        {
            for (var i = 0; i < frames; i++)
            {
                await _connection.SendAsync(
                    PaddedStatusRequest($"large-{i}", size),
                    WebSocketMessageType.Text
                );
            }
        });

        // Two 3 MB frames fit into the 8 MB budget, a third does not: it waits, unparsed.
        await Wait.UntilAsync(
            () => _uplink.CommandQueueWaits > 0,
            Wait.Generous,
            () => $"the receive loop to wait for room, {_uplink.Commands.Count} queued"
        );
        Assert.Equal(2, _uplink.Commands.Count);
        Assert.Equal(2L * size, _uplink.QueuedCommandBytes);
        StartControl();

        await sending.OrTimeout(Wait.Generous, "all frames sent");
        for (var i = 0; i < frames; i++)
        {
            await _connection.ReceiveStatusAsync($"large-{i}");
        }
        Assert.Equal(0, _uplink.QueuedCommandBytes);
    }

    private sealed class FixedDelayPolicy : IReconnectPolicy
    {
        public TimeSpan? NextDelay(ReconnectContext context) => TimeSpan.FromMilliseconds(100);
    }
}
