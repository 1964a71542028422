using System.Net;
using System.Net.Sockets;

namespace FileSync.Testing;

/// <summary>Loopback ports for tests that need an address nothing answers on.</summary>
public static class LoopbackPort
{
    /// <summary>
    /// A port on 127.0.0.1 that nothing listens on right now: one the OS just handed out and that was
    /// released again, so connecting to it is refused (unless another process takes it meanwhile).
    /// </summary>
    public static int Unused()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    /// <summary>The agent's WebSocket address on a port nothing listens on.</summary>
    public static Uri UnusedEdgeUri() => new($"ws://127.0.0.1:{Unused()}/ws/v1/edge");
}
