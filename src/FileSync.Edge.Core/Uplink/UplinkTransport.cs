using System.Net.WebSockets;
using FileSync.Protocol.Transport;

namespace FileSync.Edge.Uplink;

/// <summary>One connected WebSocket, the HTTP stack that opened it, and what moves on its raw connection.</summary>
internal sealed class UplinkTransport(
    ClientWebSocket socket,
    HttpMessageInvoker invoker,
    TransportActivity activity
) : IDisposable
{
    public ClientWebSocket Socket { get; } = socket;

    public TransportActivity Activity { get; } = activity;

    public void Dispose()
    {
        Socket.Dispose();
        invoker.Dispose();
    }
}
