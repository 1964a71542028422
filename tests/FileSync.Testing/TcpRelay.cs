using System.Net;
using System.Net.Sockets;

namespace FileSync.Testing;

/// <summary>
/// A loopback TCP relay in front of a server (the agent connects to it instead). It counts the bytes
/// each way, so a resume can be compared with rsync's "Total bytes sent" on the wire, and it can inject
/// faults: reset every connection at once, stall them (sockets stay open, nothing is forwarded, like a
/// proxy that silently hangs), refuse new ones, or forward at a limited rate (a slow link). Each accepted connection gets its own upstream
/// connection; when either side ends, both are closed.
/// </summary>
public sealed class TcpRelay : IAsyncDisposable
{
    private const int IpProtocolTcp = 6;
    private const int TcpMaxSegment = 2;

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Pair> _pairs = [];
    private readonly Lock _gate = new();
    private readonly Task _acceptLoop;
    private TaskCompletionSource _resumed = NewResumed(resumed: true);
    private volatile bool _refusing;
    private volatile int _targetPort;
    private readonly int _bytesPerSecond;
    private int _accepted;
    private long _toServer;
    private long _toClient;

    public TcpRelay(int targetPort, int bytesPerSecond = 0)
    {
        _targetPort = targetPort;
        _bytesPerSecond = bytesPerSecond;
        if (bytesPerSecond > 0 && OperatingSystem.IsLinux())
        {
            // Loopback's segments are 64 KB, so a slow reader's window reopens in 64 KB steps (a second apart
            // at 64 KB/s) and the sender's queue shrinks in jumps no real link makes. Ethernet-sized segments
            // (accepted connections inherit the listener's MSS) let it drain as smoothly as on a network.
            _listener.Server.SetRawSocketOption(
                IpProtocolTcp,
                TcpMaxSegment,
                BitConverter.GetBytes(1460)
            );
        }
        if (bytesPerSecond > 0)
        {
            // A slow link buffers little: what the sender's queue let go has nearly gone through. A reader's
            // receive buffer grows to megabytes on loopback, and a ping behind that many bytes waits seconds
            // after the sender's queue is empty, with nothing left to show the upload still moving.
            // (Accepted connections inherit the listener's buffer size; the kernel doubles it.)
            _listener.Server.ReceiveBufferSize = Math.Clamp(bytesPerSecond / 8, 4096, 64 * 1024);
        }
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>The server's port; set it to follow a server that restarted elsewhere (new connections only).</summary>
    public int TargetPort
    {
        get => _targetPort;
        set => _targetPort = value;
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary><c>ws://127.0.0.1:PORT/ws/v1/edge</c> through the relay.</summary>
    public Uri WebSocketUri => new($"ws://127.0.0.1:{Port}/ws/v1/edge");

    /// <summary>Connections accepted so far (refused ones included).</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>Bytes the client (the edge) sent towards the server so far.</summary>
    public long ToServer => Interlocked.Read(ref _toServer);

    /// <summary>Bytes the server sent towards the client so far.</summary>
    public long ToClient => Interlocked.Read(ref _toClient);

    /// <summary>Both directions: <see cref="ToServer"/> plus <see cref="ToClient"/>.</summary>
    public long Total => ToServer + ToClient;

    /// <summary>
    /// Waits until <paramref name="pings"/> WebSocket pings of 8 bytes (14 on the wire, masked) and their pongs
    /// (10) more than now have crossed an otherwise idle connection (at least those bytes: more under TLS).
    /// </summary>
    public Task WaitForKeepAlivesAsync(int pings)
    {
        var sent = ToServer;
        var received = ToClient;
        return Wait.UntilAsync(
            () => ToServer - sent >= pings * 14 && ToClient - received >= pings * 10,
            Wait.Long,
            () =>
                $"{pings} pings and pongs (sent {ToServer - sent} B, received {ToClient - received} B)"
        );
    }

    public int OpenConnections
    {
        get
        {
            lock (_gate)
            {
                return _pairs.Count(p => !p.Closed);
            }
        }
    }

    /// <summary>While set, new connections are reset at once (the server looks down).</summary>
    public bool Refusing
    {
        get => _refusing;
        set => _refusing = value;
    }

    /// <summary>The most bytes per second forwarded each way per connection (0: unlimited), like a slow link.</summary>
    public int BytesPerSecond => _bytesPerSecond;

    /// <summary>Resets every open connection (RST), as a network failure would.</summary>
    public void CutAll()
    {
        List<Pair> pairs;
        lock (_gate)
        {
            pairs = [.. _pairs];
            _pairs.Clear();
        }
        foreach (var pair in pairs)
        {
            pair.Close(reset: true);
        }
    }

    /// <summary>Stops forwarding bytes in both directions but keeps the sockets open.</summary>
    public void Stall()
    {
        lock (_gate)
        {
            if (_resumed.Task.IsCompleted)
            {
                _resumed = NewResumed(resumed: false);
            }
        }
    }

    /// <summary>Forwards again what a <see cref="Stall"/> held back.</summary>
    public void Resume()
    {
        lock (_gate)
        {
            _resumed.TrySetResult();
        }
    }

    private static TaskCompletionSource NewResumed(bool resumed)
    {
        var source = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (resumed)
        {
            source.SetResult();
        }
        return source;
    }

    private Task WhenResumed()
    {
        lock (_gate)
        {
            return _resumed.Task;
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex)
                when (ex is OperationCanceledException or SocketException or ObjectDisposedException
                )
            {
                return;
            }
            Interlocked.Increment(ref _accepted);
            if (_refusing)
            {
                Pair.Reset(client);
                continue;
            }
            var server = new Socket(
                AddressFamily.InterNetwork,
                SocketType.Stream,
                ProtocolType.Tcp
            );
            try
            {
                client.NoDelay = true;
                server.NoDelay = true;
                await server
                    .ConnectAsync(IPAddress.Loopback, _targetPort, _stopping.Token)
                    .ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                // The server is down: resetting the client makes the agent reconnect.
                Pair.Reset(client);
                server.Dispose();
                continue;
            }
            var pair = new Pair(client, server);
            lock (_gate)
            {
                _pairs.RemoveAll(p => p.Closed);
                _pairs.Add(pair);
            }
            _ = PumpAsync(pair, client, server, toServer: true);
            _ = PumpAsync(pair, server, client, toServer: false);
        }
    }

    private async Task PumpAsync(Pair pair, Socket from, Socket to, bool toServer)
    {
        // A slow link: small reads, each forwarded when the link would have carried it.
        var buffer = new byte[
            _bytesPerSecond > 0 ? Math.Clamp(_bytesPerSecond / 10, 256, 16 * 1024) : 64 * 1024
        ];
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var dueAt = TimeSpan.Zero;
        try
        {
            while (!_stopping.IsCancellationRequested)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, _stopping.Token)
                    .ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }
                // Holding the bytes back while stalled, as a hung middlebox would.
                await Task.WhenAny(WhenResumed(), pair.Ended)
                    .WaitAsync(_stopping.Token)
                    .ConfigureAwait(false);
                if (pair.Closed)
                {
                    break;
                }
                if (_bytesPerSecond > 0)
                {
                    // No credit for idle time: each read leaves when the link would have carried it.
                    var now = System.Diagnostics.Stopwatch.GetElapsedTime(started);
                    dueAt =
                        (dueAt > now ? dueAt : now)
                        + TimeSpan.FromSeconds((double)read / _bytesPerSecond);
                    var wait = dueAt - now;
                    if (wait > TimeSpan.Zero)
                    {
                        // Pacing, not synchronisation: the rate is what this relay simulates.
                        await Task.Delay(wait, _stopping.Token).ConfigureAwait(false);
                    }
                }
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stopping.Token)
                    .ConfigureAwait(false);
                Interlocked.Add(ref toServer ? ref _toServer : ref _toClient, read);
            }
        }
        catch (Exception ex)
            when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Connection ended or cut.
        }
        pair.Close(reset: false);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        CutAll();
        await _acceptLoop.ConfigureAwait(false);
        _stopping.Dispose();
    }

    private sealed class Pair(Socket client, Socket server)
    {
        private readonly TaskCompletionSource _ended = new(
            TaskCreationOptions.RunContinuationsAsynchronously
        );
        private int _closed;

        public bool Closed => Volatile.Read(ref _closed) != 0;

        /// <summary>Completes when the pair is closed (a stalled pump stops waiting then).</summary>
        public Task Ended => _ended.Task;

        /// <summary>Closes both sides: gracefully (FIN) when one side ended, with RST when cut.</summary>
        public void Close(bool reset)
        {
            if (Interlocked.Exchange(ref _closed, 1) != 0)
            {
                return;
            }
            _ended.TrySetResult();
            foreach (var socket in new[] { client, server })
            {
                if (reset)
                {
                    Reset(socket);
                    continue;
                }
                try
                {
                    socket.Shutdown(SocketShutdown.Both);
                }
                catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
                {
                    // Already gone.
                }
                socket.Dispose();
            }
        }

        public static void Reset(Socket socket)
        {
            try
            {
                socket.LingerState = new LingerOption(true, 0);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // Already gone.
            }
            socket.Dispose();
        }
    }
}
