using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using FileSync.Edge.Protocol;
using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Uplink;

/// <summary>
/// The agent's one WebSocket to the server. A single reconnect loop owns the socket: it connects
/// (with a timeout, the API key in the Authorization header, keepalive pings), waits for
/// <c>connected_edge</c>, publishes a new <see cref="UplinkSession"/>, and runs the receive loop,
/// which only parses frames and queues commands. On loss it backs off per <see cref="IReconnectPolicy"/>
/// and tries again, forever, unless the server rejects the credentials.
/// </summary>
public sealed partial class UplinkConnection : IUplink, IAsyncDisposable
{
    private static readonly TimeSpan s_handshakeTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan s_sendTimeout = TimeSpan.FromSeconds(30);
    private const int CommandQueueCapacity = 256;

    /// <summary>
    /// Most bytes of received frames waiting in the command queue. A frame larger than what is left
    /// waits (the receive loop stops reading: backpressure) until the control stage catches up; one
    /// frame of any accepted size always fits into an empty queue.
    /// </summary>
    internal const long CommandQueueBytes = 8L * 1024 * 1024;

    private readonly UplinkOptions _options;
    private readonly IReconnectPolicy _policy;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _fingerprint;
    private readonly Lock _stateGate = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly Channel<QueuedCommand> _commands = Channel.CreateBounded<QueuedCommand>(
        new BoundedChannelOptions(CommandQueueCapacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        }
    );
    private readonly Channel<bool> _commandBytesFreed = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.DropWrite,
        }
    );
    private readonly CommandReader _commandReader;
    private long _queuedCommandBytes;
    private readonly TaskCompletionSource _completion = new(
        TaskCreationOptions.RunContinuationsAsynchronously
    );
    private readonly CancellationTokenSource _stopping = new();

    private UplinkState _state = UplinkState.Disconnected;
    private volatile UplinkSession? _session;
    private ClientWebSocket? _socket;
    private long _epoch;
    private Task? _loop;
    private int _disposed;

    public UplinkConnection(
        UplinkOptions options,
        IReconnectPolicy policy,
        TimeProvider time,
        ILogger<UplinkConnection> logger
    )
    {
        _options = options;
        _policy = policy;
        _time = time;
        _logger = logger;
        // The agent's host sets the default identity (it knows the config file); this is for other hosts.
        _fingerprint = string.IsNullOrWhiteSpace(options.Fingerprint)
            ? MachineFingerprint.Compute(configPath: null)
            : options.Fingerprint;
        _commandReader = new CommandReader(this);
        var server =
            ServerUrl.ToWebSocket(options.Server, out var urlError)
            ?? throw new ArgumentException(urlError, nameof(options));
        ServerUri = BuildUri(server, _fingerprint);
        _keyIsToken = options.ApiKey is { Length: > 0 } key && IsToken(key);
        if (
            options.ApiKey is { Length: > 0 }
            && !_keyIsToken
            && options.ApiKeyTransport != ApiKeyTransport.Header
        )
        {
            Log.KeyNotASubprotocol(_logger);
        }
    }

    /// <summary>Whether the API key can be offered as a WebSocket subprotocol (an HTTP token, RFC 7230).</summary>
    private readonly bool _keyIsToken;

    internal static bool IsToken(string value) =>
        value.Length > 0
        && value.All(c =>
            c < 127
            && (
                char.IsAsciiLetterOrDigit(c)
                || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal)
            )
        );

    /// <summary>The URL connected to, including <c>?fingerprint=</c>.</summary>
    public Uri ServerUri { get; }

    public UplinkState State
    {
        get
        {
            lock (_stateGate)
            {
                return _state;
            }
        }
    }

    public UplinkSession? Session => _session;

    public event Action? SessionChanged;

    /// <summary>
    /// Server → edge messages other than the handshake, for the control stage, plus a
    /// <see cref="ProtocolMessage.Malformed"/> placeholder for each frame that could not be accepted
    /// (to be answered with <c>error</c>). Bounded in count and in bytes; single reader.
    /// </summary>
    public ChannelReader<ProtocolMessage> Commands => _commandReader;

    /// <summary>Bytes of received frames waiting in <see cref="Commands"/> (for tests of the bound).</summary>
    internal long QueuedCommandBytes => Interlocked.Read(ref _queuedCommandBytes);

    /// <summary>Completes when the connection stops for good; faults with <see cref="UplinkAuthenticationException"/> on a rejected key.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Starts the reconnect loop. Returns at once; watch <see cref="Session"/> / <see cref="SessionChanged"/>.</summary>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (_loop is not null)
        {
            throw new InvalidOperationException("The uplink is already started.");
        }
        _loop = RunAsync(_stopping.Token);
        return Task.CompletedTask;
    }

    public async ValueTask<bool> SendAsync(
        UplinkSession session,
        ReadOnlyMemory<byte> frame,
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
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(s_sendTimeout);
            await socket
                .SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, timeout.Token)
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

    private void ChangeState(UplinkState expected, UplinkState next)
    {
        lock (_stateGate)
        {
            if (_state != expected)
            {
                throw new InvalidOperationException(
                    $"Uplink state is {_state}, expected {expected} to move to {next}."
                );
            }
            var legal = (expected, next) switch
            {
                (UplinkState.Disconnected, UplinkState.Connecting) => true,
                (UplinkState.Connecting, UplinkState.Connected or UplinkState.Reconnecting) => true,
                (UplinkState.Connected, UplinkState.Reconnecting) => true,
                (UplinkState.Reconnecting, UplinkState.Connecting) => true,
                (_, UplinkState.Stopped) => true,
                _ => false,
            };
            if (!legal)
            {
                throw new InvalidOperationException(
                    $"Illegal uplink transition {expected} -> {next}."
                );
            }
            _state = next;
        }
    }

    private UplinkState ForceStopped()
    {
        lock (_stateGate)
        {
            var previous = _state;
            _state = UplinkState.Stopped;
            return previous;
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var attempt = 0;
        var outageStarted = _time.GetTimestamp();
        ChangeState(UplinkState.Disconnected, UplinkState.Connecting);
        try
        {
            while (true)
            {
                Exception? failure = null;
                try
                {
                    using var socket = await ConnectAsync(cancellationToken).ConfigureAwait(false);
                    var connected = await RunSessionAsync(socket, cancellationToken)
                        .ConfigureAwait(false);
                    if (connected)
                    {
                        attempt = 0;
                        outageStarted = _time.GetTimestamp();
                    }
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    failure = ex;
                }
                finally
                {
                    SetSession(null);
                }

                var delay = _policy.NextDelay(
                    new ReconnectContext(attempt, _time.GetElapsedTime(outageStarted), failure)
                );
                if (delay is null)
                {
                    if (failure is UplinkAuthenticationException)
                    {
                        Log.AuthenticationRejected(_logger, ServerUri.GetLeftPart(UriPartial.Path));
                    }
                    else if (failure is UplinkIdentityConflictException)
                    {
                        Log.IdentityConflict(_logger, ServerUri.GetLeftPart(UriPartial.Path));
                    }
                    ForceStopped();
                    _commands.Writer.TryComplete();
                    _completion.TrySetException(
                        failure ?? new InvalidOperationException("The reconnect policy gave up.")
                    );
                    return;
                }
                Log.Reconnecting(
                    _logger,
                    delay.Value.TotalSeconds,
                    attempt + 1,
                    failure?.Message ?? "connection closed"
                );
                attempt++;
                ChangeState(State, UplinkState.Reconnecting);
                await Task.Delay(delay.Value, _time, cancellationToken).ConfigureAwait(false);
                ChangeState(UplinkState.Reconnecting, UplinkState.Connecting);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (Exception ex)
        {
            // Out of memory (or a bug): a dead uplink must end the agent, not leave it running unconnected.
            ForceStopped();
            SetSession(null);
            _commands.Writer.TryComplete();
            _completion.TrySetException(ex);
            return;
        }
        ForceStopped();
        _commands.Writer.TryComplete();
        _completion.TrySetResult();
    }

    private async Task<ClientWebSocket> ConnectAsync(CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = _options.KeepAlive;
        socket.Options.KeepAliveTimeout = _options.KeepAliveTimeout;
        socket.Options.CollectHttpResponseDetails = true;
        if (!string.IsNullOrEmpty(_options.ApiKey))
        {
            // Set anew on every attempt: the header and the offered subprotocol (a server may select it or none).
            var asSubprotocol = _options.ApiKeyTransport != ApiKeyTransport.Header && _keyIsToken;
            if (_options.ApiKeyTransport != ApiKeyTransport.Subprotocol || !asSubprotocol)
            {
                socket.Options.SetRequestHeader("Authorization", "Bearer " + _options.ApiKey);
            }
            if (asSubprotocol)
            {
                socket.Options.AddSubProtocol(_options.ApiKey);
            }
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ConnectTimeout);
        try
        {
            await socket.ConnectAsync(ServerUri, timeout.Token).ConfigureAwait(false);
            return socket;
        }
        catch (Exception ex)
            when (ex
                    is WebSocketException
                        or HttpRequestException
                        or OperationCanceledException
                        or IOException
            )
        {
            var status = socket.HttpStatusCode;
            var headers = socket.HttpResponseHeaders;
            socket.Dispose();
            cancellationToken.ThrowIfCancellationRequested();
            if (status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                throw new UplinkAuthenticationException(
                    $"The server rejected the API key (HTTP {(int)status}). Check --api-key / FILESYNC_API_KEY.",
                    ex
                );
            }
            if (ex is OperationCanceledException)
            {
                throw new TimeoutException(
                    $"Connecting to {ServerUri.GetLeftPart(UriPartial.Path)} timed out after {_options.ConnectTimeoutSeconds} s.",
                    ex
                );
            }
            if (status is { } code && (int)code >= 300)
            {
                // One clear line, and for 429/503 the server's Retry-After, which the next attempt honours.
                throw new UplinkUpgradeRefusedException(
                    (int)code,
                    DescribeRefusal(code),
                    RetryAfter(headers),
                    ex
                );
            }
            throw;
        }
    }

    private string DescribeRefusal(HttpStatusCode status) =>
        $"The server answered HTTP {(int)status} ({status}) to the WebSocket upgrade at {ServerUri.GetLeftPart(UriPartial.Path)}"
        + (
            status switch
            {
                HttpStatusCode.NotFound => "; is the URL right (it usually ends in /ws/v1/edge)?",
                HttpStatusCode.UpgradeRequired => "; it wants another protocol version",
                HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable =>
                    "; it asks to come back later",
                _ => "",
            }
        );

    /// <summary>The delay a <c>Retry-After</c> header asks for (seconds or an HTTP date), capped at 10 minutes.</summary>
    private TimeSpan? RetryAfter(IReadOnlyDictionary<string, IEnumerable<string>>? headers)
    {
        if (headers is null)
        {
            return null;
        }
        var value = headers
            .FirstOrDefault(h =>
                string.Equals(h.Key, "Retry-After", StringComparison.OrdinalIgnoreCase)
            )
            .Value?.FirstOrDefault()
            ?.Trim();
        TimeSpan? delay = null;
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            delay = TimeSpan.FromSeconds(seconds);
        }
        else if (
            DateTimeOffset.TryParse(
                value,
                CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal,
                out var when
            )
        )
        {
            delay = when - _time.GetUtcNow();
        }
        return delay is { } d
            ? TimeSpan.FromTicks(Math.Clamp(d.Ticks, 0, TimeSpan.FromMinutes(10).Ticks))
            : null;
    }

    /// <summary>Runs one connection until it closes. Returns whether the handshake completed.</summary>
    private async Task<bool> RunSessionAsync(
        ClientWebSocket socket,
        CancellationToken cancellationToken
    )
    {
        var handshakeDone = false;
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
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            while (true)
            {
                var frame = await ReceiveFrameAsync(socket, buffer, cancellationToken)
                    .ConfigureAwait(false);
                if (frame.Closed)
                {
                    var description = LogText.Clean(socket.CloseStatusDescription ?? "");
                    Log.Closed(
                        _logger,
                        socket.CloseStatus is { } status
                            ? ((int)status).ToString(CultureInfo.InvariantCulture)
                            : "none",
                        description
                    );
                    if (ServerRejection.IsIdentityConflict(socket.CloseStatus))
                    {
                        throw new UplinkIdentityConflictException(
                            $"Another agent with this machine's identity holds the connection to {ServerUri.GetLeftPart(UriPartial.Path)} "
                                + $"(close {(int)socket.CloseStatus!}{(description.Length > 0 ? ": " + description : "")}). "
                                + "Stop the other agent, or give this one its own identity with --name."
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
                if (frame.Dropped is { } dropped)
                {
                    await EnqueueCommandAsync(QueuedCommand.Problem(dropped), cancellationToken)
                        .ConfigureAwait(false);
                    continue;
                }
                if (
                    PeekType(frame.Bytes)
                    is not (
                        MessageTypes.ConnectedEdge
                        or MessageTypes.Error
                        or MessageTypes.ErrorUpperCase
                    )
                )
                {
                    // A command: queued as raw bytes (exactly what the byte budget counts) and parsed by the
                    // control stage when it takes it, so this loop does no work for it.
                    await EnqueueCommandAsync(QueuedCommand.Raw(frame.Bytes), cancellationToken)
                        .ConfigureAwait(false);
                    continue;
                }
                if (!ProtocolMessage.TryParse(frame.Bytes, out var message, out var error))
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
                    await EnqueueCommandAsync(QueuedCommand.Raw(frame.Bytes), cancellationToken)
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
                        message.TryReadPayload(
                            ProtocolJsonContext.Default.ConnectedEdgePayload,
                            out var connected,
                            out error
                        )
                    )
                    {
                        Volatile.Write(ref handshakeDone, true);
                        connectedAt = _time.GetTimestamp();
                        if (State == UplinkState.Connecting)
                        {
                            ChangeState(UplinkState.Connecting, UplinkState.Connected);
                        }
                        var session = new UplinkSession(
                            Interlocked.Increment(ref _epoch),
                            connected.EdgeId,
                            connected.UserId,
                            connected.Capabilities,
                            _time.GetTimestamp()
                        );
                        Log.Connected(
                            _logger,
                            ServerUri.GetLeftPart(UriPartial.Path),
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
                var text = message.TryReadPayload(
                    ProtocolJsonContext.Default.ErrorPayload,
                    out var payload,
                    out _
                )
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
                await EnqueueCommandAsync(QueuedCommand.Raw(frame.Bytes), cancellationToken)
                    .ConfigureAwait(false);
            }
        }
        catch (Exception ex)
            when (ex is UplinkAuthenticationException or UplinkIdentityConflictException)
        {
            throw;
        }
        catch (Exception ex)
            when (ex is not OutOfMemoryException && !cancellationToken.IsCancellationRequested)
        {
            // Socket errors, keepalive timeouts (the socket is aborted), a handshake that never came.
            Log.ConnectionLost(_logger, ex.Message);
            if (!handshakeDone)
            {
                throw;
            }
            return true;
        }
        finally
        {
            _socket = null;
            ArrayPool<byte>.Shared.Return(buffer);
            SetSession(null);
            socket.Abort();
        }
    }

    /// <summary>How long after <c>connected_edge</c> an error about the key still counts as a rejection of it.</summary>
    private static readonly TimeSpan s_authenticationWindow = TimeSpan.FromSeconds(5);

    private bool WithinAuthenticationWindow(bool handshakeDone, long connectedAt) =>
        !handshakeDone || _time.GetElapsedTime(connectedAt) <= s_authenticationWindow;

    /// <summary>
    /// Reads one whole message. A message over <see cref="ProtocolMessage.MaxFrameBytes"/> is read to its
    /// end into a scratch buffer and discarded, as is a binary message; both come back as
    /// <see cref="ReceivedFrame.Dropped"/> so the control stage can answer them.
    /// </summary>
    private async Task<ReceivedFrame> ReceiveFrameAsync(
        ClientWebSocket socket,
        byte[] buffer,
        CancellationToken cancellationToken
    )
    {
        byte[]? large = null;
        var length = 0;
        long discarded = 0;
        try
        {
            while (true)
            {
                var target = large ?? buffer;
                var capacity = Math.Min(target.Length, ProtocolMessage.MaxFrameBytes);
                if (length == capacity && capacity < ProtocolMessage.MaxFrameBytes)
                {
                    var bigger = ArrayPool<byte>.Shared.Rent(
                        Math.Min(capacity * 2, ProtocolMessage.MaxFrameBytes)
                    );
                    target.AsSpan(0, length).CopyTo(bigger);
                    if (large is not null)
                    {
                        ArrayPool<byte>.Shared.Return(large);
                    }
                    large = bigger;
                    target = bigger;
                    capacity = Math.Min(target.Length, ProtocolMessage.MaxFrameBytes);
                }
                // At the limit, keep reading (to find the message's end) into the scratch buffer.
                var full = length == capacity;
                var into = full ? buffer.AsMemory() : target.AsMemory(length, capacity - length);
                var result = await socket
                    .ReceiveAsync(into, cancellationToken)
                    .ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return new ReceivedFrame([], null, Closed: true);
                }
                if (full)
                {
                    discarded += result.Count;
                }
                else
                {
                    length += result.Count;
                }
                if (!result.EndOfMessage)
                {
                    continue;
                }
                if (discarded > 0)
                {
                    return new ReceivedFrame(
                        [],
                        $"frame of {length + discarded} bytes is larger than the limit of {ProtocolMessage.MaxFrameBytes} bytes; dropped",
                        false
                    );
                }
                if (result.MessageType != WebSocketMessageType.Text)
                {
                    return new ReceivedFrame(
                        [],
                        "binary frames are not part of the protocol; dropped",
                        false
                    );
                }
                return new ReceivedFrame(target.AsSpan(0, length).ToArray(), null, false);
            }
        }
        finally
        {
            if (large is not null)
            {
                ArrayPool<byte>.Shared.Return(large);
            }
        }
    }

    /// <summary>
    /// Queues a command for the control stage, waiting while the queue is full by count or by bytes
    /// (the socket is then not read, which pushes back on the server).
    /// </summary>
    private async ValueTask EnqueueCommandAsync(
        QueuedCommand command,
        CancellationToken cancellationToken
    )
    {
        var bytes = command.Frame?.Length ?? 0;
        while (true)
        {
            var queued = Interlocked.Read(ref _queuedCommandBytes);
            if (queued == 0 || queued + bytes <= CommandQueueBytes)
            {
                break;
            }
            await _commandBytesFreed.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        Interlocked.Add(ref _queuedCommandBytes, bytes);
        try
        {
            await _commands.Writer.WriteAsync(command, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Interlocked.Add(ref _queuedCommandBytes, -bytes);
            throw;
        }
    }

    private void OnCommandDequeued(int bytes)
    {
        if (bytes > 0)
        {
            Interlocked.Add(ref _queuedCommandBytes, -bytes);
            _commandBytesFreed.Writer.TryWrite(true);
        }
    }

    /// <summary>One received message, or why it was dropped, or the end of the connection.</summary>
    private readonly record struct ReceivedFrame(byte[] Bytes, string? Dropped, bool Closed);

    /// <summary>
    /// A queued command: the raw frame (held against <see cref="CommandQueueBytes"/>, parsed when the
    /// control stage takes it) or the reason a frame could not be accepted.
    /// </summary>
    private readonly record struct QueuedCommand(byte[]? Frame, string? Rejection)
    {
        public static QueuedCommand Raw(byte[] frame) => new(frame, null);

        public static QueuedCommand Problem(string reason) => new(null, reason);

        public ProtocolMessage ToMessage() =>
            Frame is null ? ProtocolMessage.Malformed(Rejection!)
            : ProtocolMessage.TryParse(Frame, out var message, out var error) ? message
            : ProtocolMessage.Malformed(error);
    }

    /// <summary>
    /// The top-level string <c>type</c> of a frame, found without building a document; null when the frame
    /// is not a JSON object with one (the control stage's full parse then says what is wrong). Only a frame
    /// that is not a command (<c>connected_edge</c>, <c>error</c>) is parsed by the receive loop itself.
    /// </summary>
    private static string? PeekType(ReadOnlySpan<byte> frame)
    {
        try
        {
            var reader = new Utf8JsonReader(frame, new JsonReaderOptions { MaxDepth = 32 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }
            // The last 'type' wins, as in ProtocolMessage.TryParse.
            string? type = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isType = reader.ValueTextEquals("type"u8);
                reader.Read();
                if (isType)
                {
                    type = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                reader.Skip();
            }
            return type;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>The reader side of the command queue: hands out messages and gives their bytes back to the budget.</summary>
    private sealed class CommandReader(UplinkConnection owner) : ChannelReader<ProtocolMessage>
    {
        public override Task Completion => owner._commands.Reader.Completion;

        public override bool CanCount => true;

        public override int Count => owner._commands.Reader.Count;

        public override bool TryRead(out ProtocolMessage item)
        {
            if (owner._commands.Reader.TryRead(out var queued))
            {
                item = queued.ToMessage();
                owner.OnCommandDequeued(queued.Frame?.Length ?? 0);
                return true;
            }
            item = default;
            return false;
        }

        public override ValueTask<bool> WaitToReadAsync(
            CancellationToken cancellationToken = default
        ) => owner._commands.Reader.WaitToReadAsync(cancellationToken);
    }

    private void SetSession(UplinkSession? session)
    {
        if (_session == session)
        {
            return;
        }
        _session = session;
        SessionChanged?.Invoke();
    }

    public async Task StopAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        var socket = _socket;
        if (socket is not null)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _sendLock.WaitAsync(timeout.Token).ConfigureAwait(false);
                try
                {
                    await socket
                        .CloseOutputAsync(
                            WebSocketCloseStatus.NormalClosure,
                            "agent stopping",
                            timeout.Token
                        )
                        .ConfigureAwait(false);
                }
                finally
                {
                    _sendLock.Release();
                }
            }
            catch (Exception ex)
                when (ex
                        is WebSocketException
                            or OperationCanceledException
                            or ObjectDisposedException
                            or IOException
                )
            {
                // Best effort.
            }
            socket.Abort();
        }
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }
        ForceStopped();
        _completion.TrySetResult();
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await StopAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private static Uri BuildUri(Uri server, string fingerprint)
    {
        var builder = new UriBuilder(server);
        var query = builder.Query.TrimStart('?');
        var parameter =
            "fingerprint=" + Uri.EscapeDataString(MachineFingerprint.ToWire(fingerprint));
        builder.Query = query.Length == 0 ? parameter : query + "&" + parameter;
        return builder.Uri;
    }
}
