using System.Net;
using System.Net.Sockets;

namespace FileSync.Edge.Benchmarks.Measuring;

/// <summary>
/// A loopback TCP relay in front of the server that counts the bytes each way, so a resume can be
/// compared with rsync's "Total bytes sent" on the wire (the server's counters only count file content).
/// Each accepted connection gets its own upstream connection; when either side ends, both close.
/// </summary>
internal sealed class ByteCountingRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly int _upstreamPort;
    private readonly Task _accepting;
    private long _toServer;
    private long _toClient;

    public ByteCountingRelay(int upstreamPort)
    {
        _upstreamPort = upstreamPort;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string EdgeUrl => $"ws://127.0.0.1:{Port}/ws/v1/edge";

    /// <summary>Bytes the edge sent towards the server so far.</summary>
    public long ToServer => Interlocked.Read(ref _toServer);

    /// <summary>Bytes the server sent towards the edge so far.</summary>
    public long ToClient => Interlocked.Read(ref _toClient);

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener
                    .AcceptTcpClientAsync(_stop.Token)
                    .ConfigureAwait(false);
                _ = RelayAsync(client);
            }
        }
        catch (Exception ex)
            when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using (client)
        using (var upstream = new TcpClient())
        {
            try
            {
                client.NoDelay = true;
                upstream.NoDelay = true;
                await upstream
                    .ConnectAsync(IPAddress.Loopback, _upstreamPort, _stop.Token)
                    .ConfigureAwait(false);
                using var pair = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                var up = CopyAsync(
                    client.GetStream(),
                    upstream.GetStream(),
                    toServer: true,
                    pair.Token
                );
                var down = CopyAsync(
                    upstream.GetStream(),
                    client.GetStream(),
                    toServer: false,
                    pair.Token
                );
                await Task.WhenAny(up, down).ConfigureAwait(false);
                await pair.CancelAsync().ConfigureAwait(false);
            }
            catch (Exception ex)
                when (ex is OperationCanceledException or SocketException or IOException)
            {
                // The server is down or a side went away: closing the client makes the agent reconnect.
            }
        }
    }

    private async Task CopyAsync(
        NetworkStream from,
        NetworkStream to,
        bool toServer,
        CancellationToken cancellationToken
    )
    {
        var buffer = new byte[64 * 1024];
        try
        {
            int read;
            while (
                (read = await from.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0
            )
            {
                await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken)
                    .ConfigureAwait(false);
                Interlocked.Add(ref toServer ? ref _toServer : ref _toClient, read);
            }
        }
        catch (Exception ex)
            when (ex is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // One side closed.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        await _accepting.ConfigureAwait(false);
        _stop.Dispose();
    }
}
