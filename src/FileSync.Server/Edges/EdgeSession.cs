using System.Net.WebSockets;
using FileSync.Protocol;
using FileSync.Protocol.Framing;
using FileSync.Server.Protocol;
using Microsoft.Extensions.Logging;

namespace FileSync.Server.Edges;

/// <summary>
/// One connected edge: owns the receive loop of its WebSocket and serializes every send (one at
/// a time, each bounded by <see cref="ServerOptions.SendTimeout"/>).
/// </summary>
internal sealed class EdgeSession : IAsyncDisposable
{
    private const int InitialBufferBytes = 16 * 1024;

    private readonly WebSocket _socket;
    private readonly ServerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _stopCts = new();
    private readonly TaskCompletionSource _receiveLoopEnded = new(
        TaskCreationOptions.RunContinuationsAsynchronously
    );
    private readonly TaskCompletionSource _helloSent = new(
        TaskCreationOptions.RunContinuationsAsynchronously
    );
    private Task? _stopTask;
    private int _stopRequested;
    private int _disposed;

    public EdgeSession(
        string edgeId,
        WebSocket socket,
        IReadOnlyList<string> capabilities,
        ServerOptions options,
        TimeProvider time,
        ILogger logger
    )
    {
        EdgeId = edgeId;
        Capabilities = capabilities;
        ConnectedAt = time.GetUtcNow();
        _socket = socket;
        _options = options;
        _time = time;
        _logger = logger;
    }

    public string EdgeId { get; }

    /// <summary>The server's clock, for what this connection measures.</summary>
    public TimeProvider Time => _time;

    /// <summary>True once closing was asked for or the connection ended.</summary>
    public bool IsClosing =>
        Volatile.Read(ref _stopRequested) == 1 || _receiveLoopEnded.Task.IsCompleted;

    /// <summary>Capabilities the server announced to this edge (see <see cref="CapabilityNegotiation"/>).</summary>
    public IReadOnlyList<string> Capabilities { get; }

    /// <summary>Whether the server announced <paramref name="capability"/> to this edge.</summary>
    public bool Has(string capability) => Capabilities.Contains(capability, StringComparer.Ordinal);

    public DateTimeOffset ConnectedAt { get; }

    /// <summary>
    /// The wire format after <c>connected_edge</c> (which always goes as JSON): MessagePack when the edge
    /// asked for it and the server offered it. Frames are given to <see cref="TrySendAsync"/> as JSON and
    /// converted here; binary frames from the edge are accepted only then.
    /// </summary>
    public WireFormat Format { get; init; } = WireFormat.Json;

    /// <summary>
    /// The content hash of this edge's manifests and files: XxHash128 when it asked for
    /// <see cref="Capabilities.XxHash128"/> and the server announced it, SHA-256 otherwise.
    /// </summary>
    public ContentHash Hash { get; init; } = ContentHash.Sha256;

    /// <summary>Whether permessage-deflate was negotiated on this connection.</summary>
    public bool Compressed { get; init; }

    /// <summary>
    /// Sends the first frame (<c>connected_edge</c>). Until it is out, <see cref="TrySendAsync"/>
    /// waits, so a command forwarded right after registration cannot overtake it.
    /// </summary>
    public async Task<bool> TrySendHelloAsync(
        ReadOnlyMemory<byte> utf8Json,
        CancellationToken cancellationToken = default
    )
    {
        try
        {
            return await TrySendCoreAsync(
                utf8Json,
                WireFormat.Json,
                waitForHello: false,
                cancellationToken
            );
        }
        finally
        {
            _helloSent.TrySetResult();
        }
    }

    /// <summary>
    /// Sends one text frame. Returns false when the connection is gone or the send timed out (the
    /// connection is then aborted); throws only when <paramref name="cancellationToken"/> fires.
    /// </summary>
    public Task<bool> TrySendAsync(
        ReadOnlyMemory<byte> utf8Json,
        CancellationToken cancellationToken = default
    ) => TrySendCoreAsync(utf8Json, Format, waitForHello: true, cancellationToken);

    private async Task<bool> TrySendCoreAsync(
        ReadOnlyMemory<byte> utf8Json,
        WireFormat format,
        bool waitForHello,
        CancellationToken cancellationToken
    )
    {
        using var timeout = new CancellationTokenSource(_options.SendTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(
            cancellationToken,
            timeout.Token
        );
        try
        {
            if (waitForHello)
            {
                await _helloSent.Task.WaitAsync(linked.Token);
            }
            await _sendLock.WaitAsync(linked.Token);
            try
            {
                var sent = ProtocolMessage.Encode(utf8Json, format, out var frame);
                await _socket.SendAsync(
                    frame,
                    sent == WireFormat.MessagePack
                        ? WebSocketMessageType.Binary
                        : WebSocketMessageType.Text,
                    endOfMessage: true,
                    linked.Token
                );
                return true;
            }
            finally
            {
                _sendLock.Release();
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Log.SendFailed(_logger, EdgeId, new TimeoutException("send timed out"));
            _socket.Abort();
            return false;
        }
        catch (Exception ex)
            when (ex is WebSocketException or ObjectDisposedException or InvalidOperationException)
        {
            Log.SendFailed(_logger, EdgeId, ex);
            return false;
        }
    }

    /// <summary>
    /// Receives frames until the edge closes, the connection drops, <see cref="Stop"/> is called or
    /// <paramref name="cancellationToken"/> fires. Each complete frame (text, or binary with
    /// <see cref="WireFormat.MessagePack"/>) is handed to <paramref name="onFrame"/> in order. A binary
    /// frame otherwise, or a frame over <see cref="ProtocolMessage.MaxFrameBytes"/> (read to its end and
    /// discarded, so memory stays bounded), is answered with a <c>malformed_message</c> error; the
    /// connection stays open. Returns why the loop ended.
    /// </summary>
    public async Task<string> RunReceiveLoopAsync(
        Func<ReadOnlyMemory<byte>, WireFormat, CancellationToken, Task> onFrame,
        CancellationToken cancellationToken = default
    )
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(
            cancellationToken,
            _stopCts.Token
        );
        var token = linked.Token;
        using var frames = new FrameReader(InitialBufferBytes);
        try
        {
            while (true)
            {
                var frame = await frames.ReadAsync(_socket, token);
                switch (frame.Kind)
                {
                    case ReceivedFrameKind.Close:
                        if (Volatile.Read(ref _stopRequested) == 1)
                        {
                            return "closed by the server";
                        }
                        await AnswerCloseAsync();
                        return $"closed by the edge ({_socket.CloseStatus})";
                    case ReceivedFrameKind.TooLarge:
                        Log.FrameTooLarge(_logger, EdgeId, ProtocolMessage.MaxFrameBytes);
                        await TrySendAsync(
                            ProtocolFrames.Error(
                                ErrorCodes.MalformedMessage,
                                $"frame exceeds {ProtocolMessage.MaxFrameBytes} bytes; it was discarded"
                            ),
                            token
                        );
                        continue;
                    case ReceivedFrameKind.Binary when Format != WireFormat.MessagePack:
                        Log.MalformedFrame(_logger, EdgeId, "binary frame");
                        await TrySendAsync(
                            ProtocolFrames.Error(
                                ErrorCodes.MalformedMessage,
                                "binary frames are not supported without 'msgpack'; send UTF-8 JSON text"
                            ),
                            token
                        );
                        continue;
                    case ReceivedFrameKind.Binary:
                        await onFrame(frame.Bytes, WireFormat.MessagePack, token);
                        continue;
                    default:
                        await onFrame(frame.Bytes, WireFormat.Json, token);
                        continue;
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            return _stopCts.IsCancellationRequested ? "closed by the server" : "request aborted";
        }
        catch (WebSocketException ex)
        {
            Log.ConnectionLost(_logger, EdgeId, ex);
            return "connection lost";
        }
        finally
        {
            _receiveLoopEnded.TrySetResult();
        }
    }

    /// <summary>
    /// Starts closing the connection (idempotent, returns at once): sends a close frame, waits up
    /// to <see cref="ServerOptions.CloseTimeout"/> for the receive loop to end, then aborts it.
    /// </summary>
    public void Stop(WebSocketCloseStatus status, string description)
    {
        if (Interlocked.Exchange(ref _stopRequested, 1) == 1)
        {
            return;
        }
        // Fire-and-forget by design (callers are synchronous: shutdown, replacement); the task
        // never throws and DisposeAsync awaits it so the close frame is out before disposal.
        _stopTask = StopCoreAsync();

        async Task StopCoreAsync()
        {
            try
            {
                using var timeout = new CancellationTokenSource(_options.CloseTimeout, _time);
                await _sendLock.WaitAsync(timeout.Token);
                try
                {
                    if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                    {
                        await _socket.CloseOutputAsync(status, description, timeout.Token);
                    }
                }
                finally
                {
                    _sendLock.Release();
                }
                await _receiveLoopEnded.Task.WaitAsync(timeout.Token);
            }
            catch (Exception ex)
                when (ex
                        is OperationCanceledException
                            or WebSocketException
                            or ObjectDisposedException
                )
            {
                Log.CloseFailed(_logger, EdgeId, ex);
            }
            finally
            {
                CancelReceiveLoop();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        // Disposal comes after the receive loop returned (or when it never ran): a pending Stop
        // must not wait for it.
        _receiveLoopEnded.TrySetResult();
        if (Volatile.Read(ref _stopTask) is { } stopping)
        {
            await stopping;
        }
        CancelReceiveLoop();
        await _receiveLoopEnded
            .Task.WaitAsync(_options.CloseTimeout, _time)
            .ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _socket.Dispose();
        _stopCts.Dispose();
    }

    private void CancelReceiveLoop()
    {
        try
        {
            _stopCts.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already disposed.
        }
    }

    private async Task AnswerCloseAsync()
    {
        if (_socket.State != WebSocketState.CloseReceived)
        {
            return;
        }
        try
        {
            using var timeout = new CancellationTokenSource(_options.CloseTimeout, _time);
            await _sendLock.WaitAsync(timeout.Token);
            try
            {
                await _socket.CloseOutputAsync(
                    WebSocketCloseStatus.NormalClosure,
                    "",
                    timeout.Token
                );
            }
            finally
            {
                _sendLock.Release();
            }
        }
        catch (Exception ex)
            when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            Log.CloseFailed(_logger, EdgeId, ex);
        }
    }
}
