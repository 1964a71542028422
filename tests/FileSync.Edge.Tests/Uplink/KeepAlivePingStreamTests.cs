using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using FileSync.Edge.Uplink;
using FileSync.Protocol.Transport;

namespace FileSync.Edge.Tests.Uplink;

/// <summary>
/// The agent's own pings, written between the frames of a real .NET WebSocket over loopback TCP and read by
/// another real WebSocket on the other side: every message arrives intact and every ping is answered.
/// </summary>
public sealed class KeepAlivePingStreamTests : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly TransportActivity _activity = new(TimeProvider.System);
    private Socket? _client;
    private Socket? _server;

    private async Task<(
        KeepAlivePingStream Pings,
        WebSocket Client,
        WebSocket Server
    )> ConnectAsync()
    {
        _listener.Start();
        _client = new Socket(SocketType.Stream, ProtocolType.Tcp);
        var accepted = _listener.AcceptSocketAsync();
        await _client.ConnectAsync((IPEndPoint)_listener.LocalEndpoint);
        _server = await accepted;
        var pings = new KeepAlivePingStream(
            new NetworkStream(_client, ownsSocket: false),
            _activity
        );
        pings.StartFraming();
        var options = new WebSocketCreationOptions { KeepAliveInterval = TimeSpan.Zero };
        var client = WebSocket.CreateFromStream(pings, options);
        var server = WebSocket.CreateFromStream(
            new NetworkStream(_server, ownsSocket: false),
            new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero }
        );
        return (pings, client, server);
    }

    [Fact]
    public async Task PingsBetweenLargeAndSmallFrames_EveryMessageArrivesIntact_AndThePongsComeBack()
    {
        var (pings, client, server) = await ConnectAsync();
        var messages = Enumerable
            .Range(0, 40)
            .Select(i => RandomNumberGenerator.GetBytes(i % 4 == 0 ? 200_000 : 100 + i))
            .ToList();
        // The client reads throughout, as in a session, so that the server's pongs never back up.
        var clientReading = client.ReceiveAsync(new byte[16], CancellationToken.None);
        using var stop = new CancellationTokenSource();
        var pinging = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await pings.TrySendPingAsync(stop.Token);
                await Task.Yield();
            }
        });
        var received = Task.Run(async () =>
        {
            var all = new List<byte[]>();
            var buffer = new byte[256 * 1024];
            while (all.Count < messages.Count)
            {
                using var message = new MemoryStream();
                WebSocketReceiveResult result;
                do
                {
                    result = await server.ReceiveAsync(buffer, CancellationToken.None);
                    message.Write(buffer, 0, result.Count);
                } while (!result.EndOfMessage);
                all.Add(message.ToArray());
            }
            return all;
        });
        foreach (var message in messages)
        {
            // Large messages in several frames: a ping may go between the frames of one message, too.
            for (var offset = 0; offset < message.Length; offset += 64 * 1024)
            {
                var piece = message.AsMemory(offset, Math.Min(64 * 1024, message.Length - offset));
                await client.SendAsync(
                    piece,
                    WebSocketMessageType.Binary,
                    offset + piece.Length == message.Length,
                    CancellationToken.None
                );
            }
        }
        var got = await received.WaitAsync(Wait.Generous);
        await stop.CancelAsync();
        await pinging.WaitAsync(Wait.Generous);

        Assert.Equal(messages.Count, got.Count);
        for (var i = 0; i < messages.Count; i++)
        {
            Assert.True(messages[i].AsSpan().SequenceEqual(got[i]), $"message {i} differs");
        }
        Assert.True(pings.PingsSent > 0, "no ping was sent");

        // Both sides reading, as in a session: a ping now is answered, and the pong is not a message.
        var serverReading = server.ReceiveAsync(new byte[16], CancellationToken.None);
        var readsBefore = _activity.BytesRead;
        Assert.True(await pings.TrySendPingAsync(CancellationToken.None));
        await Wait.UntilAsync(
            () => _activity.BytesRead - readsBefore >= 10,
            Wait.Generous,
            () => $"the pong to arrive ({_activity.BytesRead - readsBefore} bytes read)"
        );
        Assert.False(clientReading.IsCompleted, "a pong surfaced as a message");
        Assert.False(serverReading.IsCompleted, "a ping surfaced as a message");
    }

    [Fact]
    public async Task HalfAFrameWritten_NoPingUntilTheFrameIsWhole()
    {
        var (pings, _, server) = await ConnectAsync();
        // A masked binary frame of 4 bytes, written in two pieces.
        byte[] frame = [0x82, 0x84, 1, 2, 3, 4, 0x61 ^ 1, 0x62 ^ 2, 0x63 ^ 3, 0x64 ^ 4];

        await pings.WriteAsync(frame.AsMemory(0, 7));
        Assert.False(await pings.TrySendPingAsync(CancellationToken.None));
        await pings.WriteAsync(frame.AsMemory(7));
        Assert.True(await pings.TrySendPingAsync(CancellationToken.None));

        var buffer = new byte[16];
        var result = await server.ReceiveAsync(buffer, CancellationToken.None);
        Assert.Equal("abcd", System.Text.Encoding.ASCII.GetString(buffer, 0, result.Count));
        Assert.Equal(1, pings.PingsSent);
    }

    [Fact]
    public async Task APing_IsNotCountedAsMovement_TheWebSocketsWritesAre()
    {
        var (pings, client, _) = await ConnectAsync();
        var written = _activity.BytesWritten;

        Assert.True(await pings.TrySendPingAsync(CancellationToken.None));
        Assert.Equal(written, _activity.BytesWritten);

        await client.SendAsync(new byte[100], WebSocketMessageType.Binary, true, default);
        Assert.True(_activity.BytesWritten > written, "the WebSocket's frame was not counted");
    }

    public async ValueTask DisposeAsync()
    {
        _client?.Dispose();
        _server?.Dispose();
        _listener.Stop();
        await Task.CompletedTask;
    }
}
