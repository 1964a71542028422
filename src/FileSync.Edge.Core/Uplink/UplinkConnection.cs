using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using FileSync.Protocol;
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
    private static readonly TimeSpan s_closeTimeout = TimeSpan.FromSeconds(2);
    private const int CommandQueueCapacity = 256;

    /// <summary>
    /// Most bytes of received frames waiting in the command queue. A frame larger than what is left
    /// waits (the receive loop stops reading: backpressure) until the control stage catches up; one
    /// frame of any accepted size always fits into an empty queue.
    /// </summary>
    internal const long CommandQueueBytes = 8L * 1024 * 1024;

    private readonly UplinkOptions _options;
    private readonly CapabilityOffer _capabilities;
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
    private volatile UplinkTransport? _transport;
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
        _capabilities = new CapabilityOffer(options);
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
        ServerUri = server;
        _serverUriWithIdentity = BuildUri(server, _fingerprint);
        _identityInQuery = options.IdentityInUrl == IdentityInUrl.Always;
        _proxy = UplinkProxy.For(options, server, Environment.GetEnvironmentVariable);
        if (_proxy is not null)
        {
            if (_proxy.IsBypassed(server))
            {
                Log.ProxyBypassed(
                    _logger,
                    _proxy.Display,
                    _proxy.Source,
                    server.Host,
                    _proxy.NoProxySource ?? ""
                );
                _proxy = null;
            }
            else
            {
                Log.UsingProxy(_logger, _proxy.Display, _proxy.Source);
            }
        }
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

    /// <summary>The proxy to connect through, or null for a direct connection.</summary>
    private readonly UplinkProxy? _proxy;

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

    /// <summary>The server's WebSocket URL, without the <c>?fingerprint=</c> the agent may add.</summary>
    public Uri ServerUri { get; }

    /// <summary>The URL with <c>?fingerprint=</c>, for a server that reads the identity only there.</summary>
    private readonly Uri _serverUriWithIdentity;

    /// <summary>Whether connects put the identity into the URL: always, or once the server showed it needs it.</summary>
    private volatile bool _identityInQuery;

    /// <summary>The URL the next connect uses.</summary>
    private Uri ConnectUri => _identityInQuery ? _serverUriWithIdentity : ServerUri;

    private string ServerName => ServerUri.GetLeftPart(UriPartial.Path);

    private volatile ConnectionProblem? _lastProblem;

    /// <summary>
    /// Why the last connect failed or the last connection ended, in one line with its hint, and when; null
    /// before any failure. The text <c>status</c> and the tray show.
    /// </summary>
    public ConnectionProblem? LastProblem => _lastProblem;

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
                using var timeout = new CancellationTokenSource(s_closeTimeout, _time);
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
            EdgeIdentityHeader.QueryParameter
            + "="
            + Uri.EscapeDataString(MachineFingerprint.ToWire(fingerprint));
        builder.Query = query.Length == 0 ? parameter : query + "&" + parameter;
        return builder.Uri;
    }
}
