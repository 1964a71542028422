using System.Net.WebSockets;
using FileSync.Protocol;

namespace FileSync.Edge.Uplink;

/// <summary>Sending: one frame at a time under the send lock, text or binary by the session's wire format.</summary>
public sealed partial class UplinkConnection
{
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
            using var sendTimeout = new CancellationTokenSource(s_sendTimeout, _time);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(
                cancellationToken,
                sendTimeout.Token
            );
            await socket
                .SendAsync(
                    frame,
                    session.Format == WireFormat.MessagePack && !frame.Span.StartsWith((byte)'{')
                        ? WebSocketMessageType.Binary
                        : WebSocketMessageType.Text,
                    deflate
                        ? WebSocketMessageFlags.EndOfMessage
                        : WebSocketMessageFlags.EndOfMessage
                            | WebSocketMessageFlags.DisableCompression,
                    timeout.Token
                )
                .ConfigureAwait(false);
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

    /// <summary>Sends a reply on whatever session is current; false when disconnected.</summary>
    public ValueTask<bool> SendAsync(
        ReadOnlyMemory<byte> frame,
        CancellationToken cancellationToken = default
    ) =>
        _session is { } session
            ? SendAsync(session, frame, cancellationToken)
            : ValueTask.FromResult(false);
}
