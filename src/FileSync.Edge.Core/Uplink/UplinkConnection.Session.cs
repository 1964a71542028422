using System.Globalization;
using System.Net.WebSockets;
using FileSync.Protocol;
using FileSync.Protocol.Framing;

namespace FileSync.Edge.Uplink;

/// <summary>One connection from handshake to close: connected_edge, error frames about the key, close codes, and queuing commands.</summary>
public sealed partial class UplinkConnection
{
    /// <summary>Runs one connection until it closes. Returns whether the handshake completed.</summary>
    private async Task<bool> RunSessionAsync(
        UplinkTransport transport,
        CancellationToken cancellationToken
    )
    {
        var socket = transport.Socket;
        var handshakeDone = false;
        string? deadBecause = null;
        using var keepAlive = new KeepAliveWatch(
            transport,
            _options.KeepAlive,
            _options.KeepAliveTimeout,
            // Its one timer on a thread of its own: an idle agent wakes one thread per ping, not five.
            OwnThreadTimeProvider.For(_time),
            _ =>
            {
                Volatile.Write(
                    ref deadBecause,
                    $"no answer to keepalive ping within {_options.KeepAliveTimeoutSeconds} s"
                );
                socket.Abort();
            }
        );
        long connectedAt = 0;
        using var handshakeTimeout = _time.CreateTimer(
            _ =>
            {
                if (!Volatile.Read(ref handshakeDone))
                {
                    socket.Abort();
                }
            },
            null,
            s_handshakeTimeout,
            Timeout.InfiniteTimeSpan
        );
        _socket = socket;
        _transport = transport;
        using var frames = new FrameReader(64 * 1024);
        // Binary (MessagePack) frames are part of the protocol once connected_edge announced them.
        var format = WireFormat.Json;
        try
        {
            while (true)
            {
                var frame = await frames.ReadAsync(socket, cancellationToken).ConfigureAwait(false);
                if (frame.Kind == ReceivedFrameKind.Close)
                {
                    var description = LogText.Clean(socket.CloseStatusDescription ?? "");
                    var code = socket.CloseStatus is { } status
                        ? ((int)status).ToString(CultureInfo.InvariantCulture)
                        : "none";
                    Log.Closed(_logger, code, description);
                    _attempt = LastAttempt() with
                    {
                        Closed =
                            $"the server closed the connection (close {code}{(description.Length > 0 ? ": " + description : "")})",
                    };
                    if (ServerRejection.IsReplaced(socket.CloseStatus))
                    {
                        throw new UplinkReplacedException(
                            (int)socket.CloseStatus!,
                            $"Another connection of this edge's identity holds {ServerName} "
                                + $"(close {code}{(description.Length > 0 ? ": " + description : "")}); trying again after a pause. "
                                + "If another agent uses this identity, give one its own with --name."
                        );
                    }
                    if (
                        ServerRejection.IsAuthenticationClose(
                            socket.CloseStatus,
                            socket.CloseStatusDescription
                        ) && WithinAuthenticationWindow(handshakeDone, connectedAt)
                    )
                    {
                        throw new UplinkAuthenticationException(
                            $"The server rejected the API key (closed the connection: {description}). Check --api-key / FILESYNC_API_KEY."
                        );
                    }
                    return handshakeDone;
                }
                if (Dropped(frame, format) is { } dropped)
                {
                    await EnqueueCommandAsync(QueuedCommand.Problem(dropped), cancellationToken)
                        .ConfigureAwait(false);
                    continue;
                }
                var frameFormat =
                    frame.Kind == ReceivedFrameKind.Binary
                        ? WireFormat.MessagePack
                        : WireFormat.Json;
                var bytes = frame.Bytes.ToArray();
                if (
                    FrameType.Peek(bytes, frameFormat)
                    is not (
                        MessageTypes.ConnectedEdge
                        or MessageTypes.Error
                        or MessageTypes.ErrorUpperCase
                    )
                )
                {
                    // A command: queued as raw bytes (exactly what the byte budget counts) and parsed by the
                    // control stage when it takes it, so this loop does no work for it.
                    await EnqueueCommandAsync(
                            QueuedCommand.Raw(bytes, frameFormat),
                            cancellationToken
                        )
                        .ConfigureAwait(false);
                    continue;
                }
                if (!ProtocolMessage.TryParse(bytes, frameFormat, out var message, out var error))
                {
                    await EnqueueCommandAsync(QueuedCommand.Problem(error), cancellationToken)
                        .ConfigureAwait(false);
                    continue;
                }
                if (
                    message.Type
                    is not (
                        MessageTypes.ConnectedEdge
                        or MessageTypes.Error
                        or MessageTypes.ErrorUpperCase
                    )
                )
                {
                    await EnqueueCommandAsync(
                            QueuedCommand.Raw(bytes, frameFormat),
                            cancellationToken
                        )
                        .ConfigureAwait(false);
                    continue;
                }
                if (message.Type == MessageTypes.ConnectedEdge)
                {
                    if (Volatile.Read(ref handshakeDone))
                    {
                        // One handshake per connection; a repeated one would restart every workspace's sync.
                        await EnqueueCommandAsync(
                                QueuedCommand.Problem(
                                    "'connected_edge' was already received on this connection; ignored"
                                ),
                                cancellationToken
                            )
                            .ConfigureAwait(false);
                    }
                    else if (
                        message.TryReadPayload<ConnectedEdgePayload>(out var connected, out error)
                    )
                    {
                        Volatile.Write(ref handshakeDone, true);
                        _sessionStarted = true;
                        connectedAt = _time.GetTimestamp();
                        if (State == UplinkState.Connecting)
                        {
                            ChangeState(UplinkState.Connecting, UplinkState.Connected);
                        }
                        var session = _capabilities.StartSession(
                            Interlocked.Increment(ref _epoch),
                            connected,
                            _time.GetTimestamp()
                        );
                        format = session.Format;
                        Log.Connected(
                            _logger,
                            ServerName,
                            session.EdgeId ?? "?",
                            string.Join(",", session.Capabilities ?? ["legacy"])
                        );
                        SetSession(session);
                    }
                    else
                    {
                        // No session yet, so nobody can be answered: say it in the log.
                        Log.MalformedFrame(_logger, LogText.Clean(error));
                    }
                    continue;
                }
                // An error frame ('error', or the todoforai backend's 'ERROR'): a rejected key ends the agent when
                // it comes before or right after the handshake; any other one goes to the control stage (a file
                // the server could not apply is retried by its workspace), or to the log before the handshake.
                var text = message.TryReadPayload<ErrorPayload>(out var payload, out _)
                    ? payload.Message
                    : "(no message)";
                if (
                    ServerRejection.IsAuthenticationError(payload?.Code, text)
                    && payload?.MessageType is null
                    && WithinAuthenticationWindow(handshakeDone, connectedAt)
                )
                {
                    throw new UplinkAuthenticationException(
                        $"The server rejected the API key: {LogText.Clean(text)}. Check --api-key / FILESYNC_API_KEY."
                    );
                }
                if (!Volatile.Read(ref handshakeDone))
                {
                    Log.ServerError(
                        _logger,
                        LogText.Clean(payload?.Code ?? ""),
                        LogText.Clean(text)
                    );
                    continue;
                }
                await EnqueueCommandAsync(QueuedCommand.Raw(bytes, frameFormat), cancellationToken)
                    .ConfigureAwait(false);
            }
        }
        catch (Exception ex)
            when (ex is not OutOfMemoryException
                && ex is not (UplinkAuthenticationException or UplinkReplacedException)
                && !cancellationToken.IsCancellationRequested
                && Volatile.Read(ref deadBecause) is not null
            )
        {
            // The keepalive aborted the socket: that, not the abort's own message, is why the connection ended.
            throw new TimeoutException(Volatile.Read(ref deadBecause), ex);
        }
        finally
        {
            _socket = null;
            _transport = null;
            SetSession(null);
            socket.Abort();
        }
    }

    /// <summary>Why a received frame cannot be taken (too large, binary when not negotiated), or null.</summary>
    private static string? Dropped(ReceivedFrame frame, WireFormat format) =>
        frame.Kind switch
        {
            ReceivedFrameKind.TooLarge =>
                $"frame of {frame.Length} bytes is larger than the limit of {ProtocolMessage.MaxFrameBytes} bytes; dropped",
            ReceivedFrameKind.Binary when format != WireFormat.MessagePack =>
                "binary frames are not part of the protocol without 'msgpack'; dropped",
            _ => null,
        };

    /// <summary>How long after <c>connected_edge</c> an error about the key still counts as a rejection of it.</summary>
    private static readonly TimeSpan s_authenticationWindow = TimeSpan.FromSeconds(5);

    private bool WithinAuthenticationWindow(bool handshakeDone, long connectedAt) =>
        !handshakeDone || _time.GetElapsedTime(connectedAt) <= s_authenticationWindow;
}
