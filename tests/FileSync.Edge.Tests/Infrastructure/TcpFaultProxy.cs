using System.Net;
using System.Net.Sockets;

namespace FileSync.Edge.Tests.Infrastructure;

/// <summary>
/// A loopback TCP proxy between the agent and the server that can cut every connection at once or
/// stall them (keep the sockets open but stop forwarding, like a proxy that silently hangs).
/// </summary>
public sealed class TcpFaultProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Pair> _pairs = [];
    private readonly Lock _gate = new();
    private readonly Task _acceptLoop;
    private volatile bool _stalled;
    private volatile bool _refusing;
    private int _accepted;

    public TcpFaultProxy(int targetPort)
    {
        TargetPort = targetPort;
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
    }

    public int TargetPort { get; set; }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public Uri WebSocketUri => new($"ws://127.0.0.1:{Port}/ws/v1/edge");

    /// <summary>Connections accepted so far.</summary>
    public int Accepted => Volatile.Read(ref _accepted);

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
            pair.Abort();
        }
    }

    /// <summary>Stops forwarding bytes in both directions but keeps the sockets open.</summary>
    public void Stall() => _stalled = true;

    public void Resume() => _stalled = false;

    /// <summary>While set, new connections are closed at once (the server looks down).</summary>
    public bool Refusing
    {
        get => _refusing;
        set => _refusing = value;
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stopping.Token);
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
                client.LingerState = new LingerOption(true, 0);
                client.Dispose();
                continue;
            }
            var server = new Socket(
                AddressFamily.InterNetwork,
                SocketType.Stream,
                ProtocolType.Tcp
            );
            try
            {
                await server.ConnectAsync(IPAddress.Loopback, TargetPort, _stopping.Token);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                client.LingerState = new LingerOption(true, 0);
                client.Dispose();
                server.Dispose();
                continue;
            }
            var pair = new Pair(client, server);
            lock (_gate)
            {
                _pairs.Add(pair);
            }
            _ = PumpAsync(pair, client, server);
            _ = PumpAsync(pair, server, client);
        }
    }

    private async Task PumpAsync(Pair pair, Socket from, Socket to)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (!_stopping.IsCancellationRequested)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, _stopping.Token);
                if (read == 0)
                {
                    break;
                }
                while (_stalled && !pair.Closed)
                {
                    // Holding the bytes back, as a hung middlebox would; re-checked until resumed or cut.
                    await Task.Delay(20, _stopping.Token);
                }
                if (pair.Closed)
                {
                    break;
                }
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stopping.Token);
            }
        }
        catch (Exception ex)
            when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Connection ended.
        }
        pair.Abort();
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        CutAll();
        try
        {
            await _acceptLoop;
        }
        catch (OperationCanceledException) { }
        _stopping.Dispose();
    }

    private sealed class Pair(Socket client, Socket server)
    {
        private int _closed;

        public bool Closed => Volatile.Read(ref _closed) != 0;

        public void Abort()
        {
            if (Interlocked.Exchange(ref _closed, 1) != 0)
            {
                return;
            }
            foreach (var socket in new[] { client, server })
            {
                try
                {
                    socket.LingerState = new LingerOption(true, 0);
                }
                catch (Exception ex) when (ex is SocketException or ObjectDisposedException) { }
                socket.Dispose();
            }
        }
    }
}
