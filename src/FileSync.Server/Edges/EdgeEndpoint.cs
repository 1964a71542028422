using System.Net.WebSockets;
using FileSync.Protocol;
using FileSync.Server.Api;
using FileSync.Server.Mirror;
using FileSync.Server.Protocol;
using FileSync.Server.Transport;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace FileSync.Server.Edges;

/// <summary>
/// <c>/ws/v1/edge</c>: checks the API key (401 without upgrade), accepts the WebSocket, announces
/// <c>connected_edge</c>, registers the session and runs its receive loop until it ends.
/// </summary>
internal sealed class EdgeEndpoint
{
    public const string Path = "/ws/v1/edge";

    private readonly ServerOptions _options;
    private readonly MirrorStore _store;
    private readonly EdgeRegistry _registry;
    private readonly TimeProvider _time;
    private readonly ApiKeyVerifier _apiKey;
    private readonly ConnectionActivities _activities;
    private readonly CapabilityNegotiation _capabilities;
    private readonly ILogger _logger;

    public EdgeEndpoint(
        ServerOptions options,
        MirrorStore store,
        EdgeRegistry registry,
        TimeProvider time,
        ConnectionActivities activities,
        ILogger<EdgeEndpoint> logger
    )
    {
        _activities = activities;
        _options = options;
        _store = store;
        _registry = registry;
        _time = time;
        _logger = logger;
        _apiKey = new ApiKeyVerifier(options.ApiKey);
        _capabilities = new CapabilityNegotiation(options);
    }

    public async Task HandleAsync(HttpContext context)
    {
        var remoteAddress = context.Connection.RemoteIpAddress?.ToString();
        var todoforai = _options.Dialect == ServerDialect.Todoforai;
        var offered = context.WebSockets.WebSocketRequestedProtocols;
        // The key as the subprotocol (the todoforai backend's way) or, in our own dialect, as a Bearer header.
        var bySubprotocol = offered.FirstOrDefault(p => _apiKey.IsExpectedKey(p));
        var authorized =
            _apiKey.IsOpen
            || bySubprotocol is not null
            || (!todoforai && _apiKey.IsAuthorized(context.Request.Headers.Authorization));
        if (!authorized && !todoforai)
        {
            Log.UpgradeUnauthorized(_logger, remoteAddress);
            // Marked as the sync server's own rejection (KeyRejection): an edge ends only on this 401,
            // and retries any other 401/403 (a proxy's, a gateway's) after a pause.
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = KeyRejection.Challenge;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(KeyRejection.Body, context.RequestAborted);
            return;
        }
        if (!context.WebSockets.IsWebSocketRequest)
        {
            Log.NotWebSocketRequest(_logger, Path);
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        // The identity from its header, so it stays out of access logs; the todoforai backend reads only the
        // query, and so does that dialect (an edge then connects again with the query).
        var fromHeader = todoforai
            ? null
            : context.Request.Headers[EdgeIdentityHeader.HeaderName].FirstOrDefault();
        if (fromHeader is { Length: > 0 })
        {
            context.Response.Headers[EdgeIdentityHeader.HeaderName] =
                EdgeIdentityHeader.Acknowledged;
        }
        var edgeId = EdgeIds.FromFingerprint(
            fromHeader is { Length: > 0 }
                ? fromHeader
                : context.Request.Query[EdgeIdentityHeader.QueryParameter].FirstOrDefault()
        );
        var negotiated = _capabilities.Negotiate(
            EdgeCapabilities.Parse(context.Request.Headers[EdgeCapabilities.HeaderName])
        );
        var socket = await context.WebSockets.AcceptWebSocketAsync(
            new WebSocketAcceptContext
            {
                // Echo the key when it was offered as the subprotocol (clients such as Node's ws require it).
                // A wrong key offered this way is echoed too in the todoforai dialect: a client whose
                // handshake fails on an unechoed subprotocol would never read the ERROR that follows.
                SubProtocol =
                    bySubprotocol
                    ?? (offered.Count > 0 && (_apiKey.IsOpen || todoforai) ? offered[0] : null),
                KeepAliveInterval = _options.KeepAliveInterval,
                // Only a backstop: a pong from a slow edge waits behind its own upload; the real
                // deadline is WatchKeepAlive's (nothing received for interval + timeout).
                KeepAliveTimeout = s_pongBackstop,
                // Used only when the edge offered it; each message compressed on its own.
                DangerousEnableCompression = _options.Compression,
                DisableServerContextTakeover = true,
            }
        );
        if (!authorized)
        {
            // The todoforai backend says so after the upgrade: an ERROR frame, then a close.
            Log.UpgradeUnauthorized(_logger, remoteAddress);
            Log.WrongKeyRefused(_logger, edgeId, ServerCloseCodes.InvalidApiKey);
            await RefuseAsync(
                socket,
                ServerCloseCodes.InvalidApiKey,
                TodoforaiApi.InvalidApiKey,
                context.RequestAborted
            );
            return;
        }
        if (
            _options.RejectSecondConnection
            && _registry.TryGetSession(edgeId, out var existing)
            && !existing.IsClosing
        )
        {
            Log.EdgeRejectedAsDuplicate(_logger, edgeId);
            await RefuseAsync(
                socket,
                ServerCloseCodes.AlreadyConnected,
                "another connection for this edge already exists",
                context.RequestAborted
            );
            return;
        }
        var session = new EdgeSession(
            edgeId,
            socket,
            negotiated.Capabilities,
            _options,
            _time,
            _logger
        )
        {
            Format = negotiated.Format,
            Hash = negotiated.Hash,
            Compressed =
                _options.Compression
                && context
                    .Request.Headers.SecWebSocketExtensions.ToString()
                    .Contains("permessage-deflate", StringComparison.OrdinalIgnoreCase),
        };
        if (_registry.Register(session) is { } previous)
        {
            Log.EdgeReplaced(_logger, edgeId);
            previous.Stop(
                (WebSocketCloseStatus)ServerCloseCodes.Replaced,
                "replaced by a newer connection of the same edge"
            );
        }
        Log.EdgeConnected(
            _logger,
            edgeId,
            remoteAddress,
            string.Join(", ", negotiated.Capabilities)
        );
        using var keepAlive = WatchKeepAlive(socket, context.Connection.Id, edgeId);

        string reason;
        try
        {
            var hello = ProtocolFrames.ConnectedEdge(edgeId, negotiated.Announced);
            if (
                await session.TrySendHelloAsync(hello, context.RequestAborted)
                && await SendConfigUpdateAsync(session, context.RequestAborted)
            )
            {
                var handler = new EdgeMessageHandler(session, _store, _registry, _options, _logger);
                reason = await session.RunReceiveLoopAsync(
                    handler.HandleFrameAsync,
                    context.RequestAborted
                );
            }
            else
            {
                reason = "could not send connected_edge";
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            reason = "request aborted";
        }
        catch (ConnectionAbortedException)
        {
            // Kestrel gave up on the connection (the server stopping with the close handshake still
            // unanswered when its shutdown timeout ran out): an end, not a failure.
            reason = "connection aborted";
        }
#pragma warning disable CA1031 // One edge's unexpected failure must not take the server down; it is logged as an error.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.SessionFailed(_logger, edgeId, ex);
            reason = "unexpected error";
        }
        finally
        {
            _registry.Unregister(session);
            await session.DisposeAsync();
        }
        Log.EdgeDisconnected(_logger, edgeId, reason);
    }

    /// <summary>How long the runtime's own keepalive waits for a pong: a backstop only.</summary>
    private static readonly TimeSpan s_pongBackstop = TimeSpan.FromMinutes(10);

    /// <summary>How often the keepalive looks at what arrived.</summary>
    private static readonly TimeSpan s_keepAliveCheck = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Drops the connection when nothing has arrived from the edge — no frame, no fragment of one, no
    /// pong, no ping — for <see cref="ServerOptions.KeepAliveInterval"/> plus
    /// <see cref="ServerOptions.KeepAliveTimeout"/>. An edge still uploading through a slow link keeps
    /// its connection however long its pong waits behind that upload.
    /// </summary>
    private ITimer? WatchKeepAlive(WebSocket socket, string connectionId, string edgeId)
    {
        if (_activities.Find(connectionId) is not { } activity)
        {
            return null;
        }
        var limit = _options.KeepAliveInterval + _options.KeepAliveTimeout;
        return _time.CreateTimer(
            _ =>
            {
                if (activity.Quiet > limit && socket.State == WebSocketState.Open)
                {
                    Log.KeepAliveExpired(_logger, edgeId, limit.TotalSeconds);
                    socket.Abort();
                }
            },
            null,
            s_keepAliveCheck,
            s_keepAliveCheck
        );
    }

    /// <summary>The first <c>edge:config_update</c>, when the server was given workspaces to announce.</summary>
    private Task<bool> SendConfigUpdateAsync(
        EdgeSession session,
        CancellationToken cancellationToken
    ) =>
        _options.Workspaces.Count == 0
            ? Task.FromResult(true)
            : session.TrySendAsync(
                ProtocolFrames.ConfigUpdate(session.EdgeId, _options.Workspaces),
                cancellationToken
            );

    /// <summary>Says why in an <c>ERROR</c> frame, then closes with <paramref name="closeCode"/>.</summary>
    private async Task RefuseAsync(
        WebSocket socket,
        int closeCode,
        string reason,
        CancellationToken cancellationToken
    )
    {
        using var closeTimeout = new CancellationTokenSource(_options.CloseTimeout, _time);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(
            cancellationToken,
            closeTimeout.Token
        );
        try
        {
            if (closeCode != ServerCloseCodes.AlreadyConnected)
            {
                await socket.SendAsync(
                    ProtocolFrames.Error(ErrorCodes.Unauthorized, reason, upperCase: true),
                    WebSocketMessageType.Text,
                    endOfMessage: true,
                    timeout.Token
                );
            }
            await socket.CloseOutputAsync((WebSocketCloseStatus)closeCode, reason, timeout.Token);
            // Wait for the edge's close: an abort (RST) now could make its kernel drop the frames unread.
            var scratch = new byte[1024];
            while (
                (await socket.ReceiveAsync(scratch, timeout.Token)).MessageType
                != WebSocketMessageType.Close
            ) { }
        }
        catch (Exception ex)
            when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            // The edge went away first, or did not answer the close in time.
        }
        finally
        {
            socket.Dispose();
        }
    }
}
