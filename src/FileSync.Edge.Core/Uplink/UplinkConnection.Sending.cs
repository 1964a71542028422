using System.Net.WebSockets;
using FileSync.Protocol;

namespace FileSync.Edge.Uplink;

/// <summary>Sending: one message at a time under the send lock, text or binary by the session's wire format, in fragments of at most <see cref="FragmentBytes"/>.</summary>
public sealed partial class UplinkConnection
{
    /// <summary>The largest WebSocket frame the agent sends: a larger message goes as several fragments.</summary>
    internal const int FragmentBytes = 64 * 1024;

    public ValueTask<bool> SendAsync(
        UplinkSession session,
        ReadOnlyMemory<byte> frame,
        CancellationToken cancellationToken = default
    ) => SendAsync(session, frame, deflate: true, cancellationToken);

    public async ValueTask<bool> SendAsync(
        UplinkSession session,
        ReadOnlyMemory<byte> frame,
        bool deflate,
        CancellationToken cancellationToken = default
    )
    {
        if (_session != session)
        {
            return false;
        }
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var socket = _socket;
            if (_session != session || socket is null || socket.State != WebSocketState.Open)
            {
                return false;
            }
            var type =
                session.Format == WireFormat.MessagePack && !frame.Span.StartsWith((byte)'{')
                    ? WebSocketMessageType.Binary
                    : WebSocketMessageType.Text;
            var compression = deflate
                ? WebSocketMessageFlags.None
                : WebSocketMessageFlags.DisableCompression;
            // Bounded fragments: the runtime's pings and pongs go out between them, not after the whole
            // message. No deadline per message here: the keepalive drops a connection on which nothing
            // moves, and a large message on a slow link may take minutes.
            var rest = frame;
            do
            {
                var fragment = rest[..Math.Min(rest.Length, FragmentBytes)];
                rest = rest[fragment.Length..];
                await socket
                    .SendAsync(
                        fragment,
                        type,
                        rest.IsEmpty
                            ? compression | WebSocketMessageFlags.EndOfMessage
                            : compression,
                        cancellationToken
                    )
                    .ConfigureAwait(false);
            } while (!rest.IsEmpty);
            return true;
        }
        catch (Exception ex)
            when (ex
                    is WebSocketException
                        or OperationCanceledException
                        or ObjectDisposedException
                        or IOException
            )
        {
            cancellationToken.ThrowIfCancellationRequested();
            Log.SendFailed(_logger, ex.Message);
            _socket?.Abort();
            return false;
        }
        finally
        {
            _sendLock.Release();
        }
    }

    public long? UnsentBytes(UplinkSession session) =>
        _session == session && _transport is { } transport ? transport.QueuedBytes : null;

    /// <summary>Sends a reply on whatever session is current; false when disconnected.</summary>
    public ValueTask<bool> SendAsync(
        ReadOnlyMemory<byte> frame,
        CancellationToken cancellationToken = default
    ) =>
        _session is { } session
            ? SendAsync(session, frame, cancellationToken)
            : ValueTask.FromResult(false);
}
