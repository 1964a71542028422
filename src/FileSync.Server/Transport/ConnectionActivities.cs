using System.Collections.Concurrent;
using FileSync.Protocol.Transport;
using Microsoft.AspNetCore.Connections;

namespace FileSync.Server.Transport;

/// <summary>
/// What moves on each open connection, by Kestrel's connection id (the same as
/// <c>HttpContext.Connection.Id</c>): a connection middleware records it, the edge endpoint's keepalive reads it.
/// </summary>
internal sealed class ConnectionActivities(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, TransportActivity> _open = new(
        StringComparer.Ordinal
    );

    public TransportActivity? Find(string connectionId) =>
        _open.TryGetValue(connectionId, out var activity) ? activity : null;

    /// <summary>The connection middleware: wraps the transport for the connection's lifetime.</summary>
    public ConnectionDelegate Track(ConnectionDelegate next) =>
        async connection =>
        {
            var activity = new TransportActivity(time);
            _open[connection.ConnectionId] = activity;
            connection.Transport = new ActivityDuplexPipe(connection.Transport, activity);
            try
            {
                await next(connection).ConfigureAwait(false);
            }
            finally
            {
                _open.TryRemove(connection.ConnectionId, out _);
            }
        };
}
