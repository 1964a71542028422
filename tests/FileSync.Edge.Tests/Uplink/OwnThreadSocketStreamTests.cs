using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using FileSync.Edge.Uplink;
using FileSync.Protocol.Transport;
using Microsoft.Extensions.Time.Testing;

namespace FileSync.Edge.Tests.Uplink;

/// <summary>
/// The uplink's TCP socket, read and written by blocking calls on threads of its own, against a real peer
/// over loopback: the bytes arrive whole and in order both ways, the awaiting code goes on on those threads
/// (not the pool's), and a cancelled or disposed read ends the connection with a clear failure.
/// </summary>
public sealed class OwnThreadSocketStreamTests : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly FakeTimeProvider _time = new();
    private readonly TransportActivity _activity;
    private Socket? _peer;

    public OwnThreadSocketStreamTests() => _activity = new TransportActivity(_time);

    private async Task<(OwnThreadSocketStream Stream, Socket Peer)> ConnectAsync()
    {
        _listener.Start();
        var accepted = _listener.AcceptSocketAsync();
        var port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        var stream = await OwnThreadSocketStream.ConnectAsync(
            new DnsEndPoint("127.0.0.1", port),
            _activity,
            CancellationToken.None
        );
        _peer = await accepted.WaitAsync(Wait.Generous);
        return (stream, _peer);
    }

    [Fact]
    public async Task ReadAndWrite_GoOnOnTheirOwnThreads_NotThePool()
    {
        var (stream, peer) = await ConnectAsync();
        await using var _ = stream;
        // More than the loopback connection's buffers hold: the write waits until the peer reads, so the
        // awaiting code below is registered before the write completes.
        var up = new byte[48 * 1024 * 1024];
        var afterWrite = ThreadAfterAsync(stream.WriteAsync(up).AsTask());
        var buffer = new byte[16];
        var afterRead = ThreadAfterAsync(stream.ReadAsync(buffer).AsTask());

        Assert.Equal(up.Length, (await ReceiveExactlyAsync(peer, up.Length)).Length);
        await peer.SendAsync("world"u8.ToArray());

        Assert.Equal(("FileSync send", false), await afterWrite.WaitAsync(Wait.Generous));
        Assert.Equal(("FileSync receive", false), await afterRead.WaitAsync(Wait.Generous));
        Assert.Equal("world"u8.ToArray(), buffer[..5]);
    }

    [Fact]
    public async Task AWriteThatWaitsForRoom_CountsAsMovementAsThePeerTakesIt()
    {
        // A frame larger than the send queue crawling through a slow link: the WebSocket's write completes
        // only at its end, so what keeps the connection alive meanwhile is the kernel taking more of it.
        var (stream, peer) = await ConnectAsync();
        await using var _ = stream;
        var before = _activity.LastMoved;
        _time.Advance(TimeSpan.FromMinutes(1));
        var up = new byte[48 * 1024 * 1024];
        var writing = stream.WriteAsync(up).AsTask();

        Assert.Equal(up.Length, (await ReceiveExactlyAsync(peer, up.Length)).Length);
        await writing.WaitAsync(Wait.Generous);

        Assert.Equal(_time.GetTimestamp(), _activity.LastMoved);
        Assert.NotEqual(before, _activity.LastMoved);
    }

    [Fact]
    public async Task AWriteTheKernelTakesAtOnce_IsNoMovement()
    {
        // A ping to a frozen peer goes into an empty send queue: that proves nothing about the peer.
        var (stream, _) = await ConnectAsync();
        await using var __ = stream;
        var before = _activity.LastMoved;
        _time.Advance(TimeSpan.FromMinutes(1));

        await stream.WriteAsync(new byte[14]).AsTask().WaitAsync(Wait.Generous);
        stream.Write(new byte[14]);

        Assert.Equal(before, _activity.LastMoved);
    }

    private static async Task<(string? Name, bool Pool)> ThreadAfterAsync(Task call)
    {
        await call.ConfigureAwait(false);
        return (Thread.CurrentThread.Name, Thread.CurrentThread.IsThreadPoolThread);
    }

    [Fact]
    public async Task BothWaysAtOnce_ManyMegabytes_ArriveWholeAndInOrder()
    {
        var (stream, peer) = await ConnectAsync();
        await using var _ = stream;
        var up = RandomNumberGenerator.GetBytes(6 * 1024 * 1024);
        var down = RandomNumberGenerator.GetBytes(3 * 1024 * 1024);

        // The peer sends and receives at the same time; the stream writes in pieces while it reads.
        var peerSending = peer.SendAsync(down);
        var peerReceiving = ReceiveExactlyAsync(peer, up.Length);
        var writing = Task.Run(async () =>
        {
            for (var offset = 0; offset < up.Length; offset += 64 * 1024)
            {
                await stream.WriteAsync(
                    up.AsMemory(offset, Math.Min(64 * 1024, up.Length - offset))
                );
            }
        });
        var readBack = new byte[down.Length];
        var total = 0;
        while (total < down.Length)
        {
            var read = await stream
                .ReadAsync(readBack.AsMemory(total))
                .AsTask()
                .WaitAsync(Wait.Generous);
            Assert.NotEqual(0, read);
            total += read;
        }
        await writing.WaitAsync(Wait.Generous);
        await peerSending.WaitAsync(Wait.Generous);

        Assert.Equal(down, readBack);
        Assert.Equal(up, await peerReceiving.WaitAsync(Wait.Generous));
    }

    [Fact]
    public async Task ASecondReadWhileOneWaits_IsRefused()
    {
        var (stream, _) = await ConnectAsync();
        await using var __ = stream;
        var first = stream.ReadAsync(new byte[8]);

        Assert.Throws<InvalidOperationException>(() =>
        {
            _ = stream.ReadAsync(new byte[8]);
        });
        Assert.False(first.IsCompleted);
    }

    [Fact]
    public async Task CancelledRead_ClosesTheConnection_AndFailsAsCancelled()
    {
        var (stream, peer) = await ConnectAsync();
        await using var _ = stream;
        using var cancel = new CancellationTokenSource();
        var reading = stream.ReadAsync(new byte[8], cancel.Token).AsTask();

        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            reading.WaitAsync(Wait.Generous)
        );
        // The peer sees the connection end (closed or, as a blocked call was cut, reset).
        var ended = await Record.ExceptionAsync(async () =>
            Assert.Equal(0, await peer.ReceiveAsync(new byte[8]).WaitAsync(Wait.Generous))
        );
        Assert.True(
            ended is null or SocketException { SocketErrorCode: SocketError.ConnectionReset },
            $"expected the peer to see the end, got {ended}"
        );
    }

    [Fact]
    public async Task DisposedWhileAReadWaits_TheReadEnds_AndLaterReadsFailAtOnce()
    {
        var (stream, _) = await ConnectAsync();
        var reading = stream.ReadAsync(new byte[8]).AsTask();

        await stream.DisposeAsync();

        // The waiting thread is woken by the shutdown: it finds the end, or the socket already closed.
        var failure = await Record.ExceptionAsync(async () =>
            Assert.Equal(0, await reading.WaitAsync(Wait.Generous))
        );
        Assert.True(
            failure is null or ObjectDisposedException or SocketException or IOException,
            $"expected the read to end or fail as closed, got {failure}"
        );
        await Assert.ThrowsAsync<ObjectDisposedException>(() =>
            stream.ReadAsync(new byte[8]).AsTask().WaitAsync(Wait.Generous)
        );
    }

    [Fact]
    public async Task PeerCloses_TheReadReturnsTheEnd()
    {
        var (stream, peer) = await ConnectAsync();
        await using var _ = stream;
        var reading = stream.ReadAsync(new byte[8]).AsTask();

        peer.Shutdown(SocketShutdown.Send);

        Assert.Equal(0, await reading.WaitAsync(Wait.Generous));
        Assert.Equal(0, await stream.ReadAsync(new byte[8]).AsTask().WaitAsync(Wait.Generous));
    }

    [Fact]
    public async Task NothingListens_TheConnectFailsWithTheSocketsError()
    {
        _listener.Start();
        var port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _listener.Stop();

        var failure = await Assert.ThrowsAsync<SocketException>(() =>
            OwnThreadSocketStream
                .ConnectAsync(new DnsEndPoint("127.0.0.1", port), _activity, CancellationToken.None)
                .WaitAsync(Wait.Generous)
        );
        Assert.Equal(SocketError.ConnectionRefused, failure.SocketErrorCode);
    }

    [Fact]
    public async Task UnderAWebSocket_MessagesGoBothWays()
    {
        var (stream, peer) = await ConnectAsync();
        var options = new WebSocketCreationOptions { KeepAliveInterval = TimeSpan.Zero };
        using var client = WebSocket.CreateFromStream(stream, options);
        using var server = WebSocket.CreateFromStream(
            new NetworkStream(peer, ownsSocket: false),
            new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero }
        );
        var message = RandomNumberGenerator.GetBytes(300_000);

        await client.SendAsync(message, WebSocketMessageType.Binary, true, CancellationToken.None);
        var atServer = await ReceiveMessageAsync(server);
        await server.SendAsync(atServer, WebSocketMessageType.Binary, true, CancellationToken.None);
        var back = await ReceiveMessageAsync(client);

        Assert.Equal(message, atServer);
        Assert.Equal(message, back);
    }

    private static async Task<byte[]> ReceiveMessageAsync(WebSocket socket)
    {
        using var buffer = new MemoryStream();
        var piece = new byte[64 * 1024];
        while (true)
        {
            var result = await socket
                .ReceiveAsync(piece, CancellationToken.None)
                .WaitAsync(Wait.Generous);
            buffer.Write(piece, 0, result.Count);
            if (result.EndOfMessage)
            {
                return buffer.ToArray();
            }
        }
    }

    private static async Task<byte[]> ReceiveExactlyAsync(Socket socket, int length)
    {
        var buffer = new byte[length];
        var total = 0;
        while (total < length)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(total));
            if (read == 0)
            {
                throw new IOException($"the connection ended after {total} of {length} bytes");
            }
            total += read;
        }
        return buffer;
    }

    public void Dispose()
    {
        _peer?.Dispose();
        _listener.Stop();
    }
}
