using System.Net.Sockets;
using System.Net.WebSockets;
using FileSync.Protocol.Transport;

namespace FileSync.Edge.Uplink;

/// <summary>
/// One connected WebSocket, the HTTP stack that opened it, its raw TCP socket (to the server or to the
/// proxy), what moves on it, and the stream the keepalive pings go through.
/// </summary>
internal sealed class UplinkTransport(
    ClientWebSocket socket,
    HttpMessageInvoker invoker,
    TransportActivity activity,
    OwnThreadSocketStream? raw,
    KeepAlivePingStream? pings
) : IDisposable
{
    private int _lastQueued = int.MaxValue;
    private int _pinging;

    public ClientWebSocket Socket { get; } = socket;

    public TransportActivity Activity { get; } = activity;

    /// <summary>
    /// Counts a shrinking send queue as movement: the kernel took our bytes long ago, and they are still
    /// on their way through a slow link. Called by the keepalive check only (one thread at a time).
    /// </summary>
    /// <returns>The bytes still queued (0 where the system cannot tell).</returns>
    public int ObserveSendQueue()
    {
        if (raw is null || SocketSendQueue.QueuedBytes(raw.Socket) is not { } queued)
        {
            return 0;
        }
        if (queued < _lastQueued)
        {
            Activity.OnDrained();
        }
        _lastQueued = queued;
        return queued;
    }

    /// <summary>
    /// Sends a keepalive ping unless one is still on its way out (it waits behind a frame being written).
    /// Returns at once; a connection that fails is reported by the receive loop.
    /// </summary>
    public void SendPing()
    {
        if (pings is null || Interlocked.Exchange(ref _pinging, 1) != 0)
        {
            return;
        }
        _ = SendPingAsync(pings);
    }

    private async Task SendPingAsync(KeepAlivePingStream stream)
    {
        try
        {
            await stream.TrySendPingAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref _pinging, 0);
        }
    }

    /// <summary>Pings sent on this connection so far.</summary>
    public long PingsSent => pings?.PingsSent ?? 0;

    /// <summary>Bytes still in the socket's send queue; 0 where the system cannot tell.</summary>
    public int QueuedBytes => raw is null ? 0 : SocketSendQueue.QueuedBytes(raw.Socket) ?? 0;

    public void Dispose()
    {
        Socket.Dispose();
        invoker.Dispose();
        // Ends its threads even where the HTTP stack kept the connection.
        raw?.Dispose();
    }
}
