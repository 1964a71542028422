using System.Net.WebSockets;
using FileSync.Edge.Protocol;
using FileSync.Server.Mirror;
using FileSync.Server.Protocol;
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
    private readonly IReadOnlyList<string> _capabilities;
    private readonly ILogger _logger;

    public EdgeEndpoint(
        ServerOptions options,
        MirrorStore store,
        EdgeRegistry registry,
        TimeProvider time,
        ILogger<EdgeEndpoint> logger
    )
    {
        _options = options;
        _store = store;
        _registry = registry;
        _time = time;
        _logger = logger;
        _apiKey = new ApiKeyVerifier(options.ApiKey);
        _capabilities = options.Legacy ? [] : [Capabilities.Manifest];
    }

    public async Task HandleAsync(HttpContext context)
    {
        var remoteAddress = context.Connection.RemoteIpAddress?.ToString();
        if (!_apiKey.IsAuthorized(context.Request.Headers.Authorization))
        {
            Log.UpgradeUnauthorized(_logger, remoteAddress);
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return;
        }
        if (!context.WebSockets.IsWebSocketRequest)
        {
            Log.NotWebSocketRequest(_logger, Path);
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        var edgeId = EdgeIds.FromFingerprint(context.Request.Query["fingerprint"]);
        var socket = await context.WebSockets.AcceptWebSocketAsync(
            new WebSocketAcceptContext
            {
                KeepAliveInterval = _options.KeepAliveInterval,
                KeepAliveTimeout = _options.KeepAliveTimeout,
            }
        );
        var session = new EdgeSession(edgeId, socket, _capabilities, _options, _time, _logger);
        if (_registry.Register(session) is { } previous)
        {
            Log.EdgeReplaced(_logger, edgeId);
            previous.Stop(
                WebSocketCloseStatus.PolicyViolation,
                "replaced by a newer connection of the same edge"
            );
        }
        Log.EdgeConnected(_logger, edgeId, remoteAddress, string.Join(", ", _capabilities));

        string reason;
        try
        {
            var hello = ProtocolFrames.ConnectedEdge(
                edgeId,
                _options.Legacy ? null : _capabilities
            );
            if (await session.TrySendHelloAsync(hello, context.RequestAborted))
            {
                var handler = new EdgeMessageHandler(
                    session,
                    _store,
                    _registry,
                    _options.Legacy,
                    _logger
                );
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
}
