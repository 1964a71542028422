using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;
using FileSync.Edge.Tests.Infrastructure;
using FileSync.Protocol;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Tests.Control;

/// <summary>
/// A WebSocket server on 127.0.0.1 that sends whatever the test says, byte for byte: frames the
/// reference server's admin API would refuse to forward (not JSON, binary, over 5 MB, a second
/// <c>connected_edge</c>). It records what the agent sends back.
/// </summary>
internal sealed class HostileServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Channel<HostileConnection> _connections =
        Channel.CreateUnbounded<HostileConnection>();
    private readonly CancellationTokenSource _stopping = new();

    private HostileServer(WebApplication app)
    {
        _app = app;
        _app.UseWebSockets();
        _app.Map("/ws", (RequestDelegate)HandleAsync);
    }

    public Uri Uri { get; private set; } = null!;

    /// <summary>How many connections the agent has opened so far.</summary>
    public int ConnectionCount { get; private set; }

    public static async Task<HostileServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var server = new HostileServer(builder.Build());
        await server._app.StartAsync().WaitAsync(Wait.Generous);
        var address = server
            ._app.Services.GetRequiredService<IServer>()
            .Features.Get<IServerAddressesFeature>()!
            .Addresses.First();
        server.Uri = new UriBuilder(address) { Scheme = "ws", Path = "/ws" }.Uri;
        return server;
    }

    /// <summary>Waits for the agent's next connection.</summary>
    public async Task<HostileConnection> AcceptAsync() =>
        await _connections
            .Reader.ReadAsync()
            .AsTask()
            .OrTimeout(Wait.Generous, "the agent to connect");

    private async Task HandleAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }
        // It plays a FileSync server, which reads the identity header: the agent makes no second connection.
        context.Response.Headers[FileSync.Protocol.EdgeIdentityHeader.HeaderName] = FileSync
            .Protocol
            .EdgeIdentityHeader
            .Acknowledged;
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var connection = new HostileConnection(socket);
        ConnectionCount++;
        _connections.Writer.TryWrite(connection);
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(
            context.RequestAborted,
            _stopping.Token
        );
        await connection.ReceiveLoopAsync(ended.Token);
    }

    public async ValueTask DisposeAsync()
    {
        // Ends the open connections first: the host would otherwise wait its whole shutdown timeout
        // for their handlers.
        await _stopping.CancelAsync();
        using var timeout = new CancellationTokenSource(Wait.Generous);
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
        _stopping.Dispose();
    }
}

/// <summary>One agent connection to a <see cref="HostileServer"/>.</summary>
internal sealed class HostileConnection(WebSocket socket)
{
    private readonly Channel<ProtocolMessage> _received =
        Channel.CreateUnbounded<ProtocolMessage>();
    private readonly SemaphoreSlim _sendLock = new(1, 1);

    public Task SendTextAsync(string text) =>
        SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text);

    /// <param name="capabilities">JSON array elements, e.g. <c>"msgpack"</c> (quoted).</param>
    public Task SendHelloAsync(string edgeId = "hostile-edge", string capabilities = "") =>
        SendTextAsync(
            $$$"""{"type":"connected_edge","payload":{"edgeId":"{{{edgeId}}}","userId":"u","capabilities":[{{{capabilities}}}]}}"""
        );

    public async Task SendAsync(ReadOnlyMemory<byte> bytes, WebSocketMessageType type)
    {
        await _sendLock.WaitAsync();
        try
        {
            await socket
                .SendAsync(bytes, type, endOfMessage: true, CancellationToken.None)
                .AsTask()
                .OrTimeout(Wait.Generous, "a send to the agent");
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>The next message from the agent that <paramref name="match"/> accepts (others are skipped).</summary>
    public async Task<ProtocolMessage> ReceiveAsync(Func<ProtocolMessage, bool> match, string what)
    {
        using var timeout = new CancellationTokenSource(Wait.Generous);
        try
        {
            while (true)
            {
                var message = await _received.Reader.ReadAsync(timeout.Token);
                if (match(message))
                {
                    return message;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException(
                $"No {what} from the agent within {Wait.Generous.TotalSeconds:F0} s"
            );
        }
    }

    public Task<ProtocolMessage> ReceiveErrorAsync(string code) =>
        ReceiveAsync(
            m => m.Type == MessageTypes.Error && m.Payload.GetProperty("code").GetString() == code,
            $"error {code}"
        );

    public Task<ProtocolMessage> ReceiveStatusAsync(string requestId) =>
        ReceiveAsync(
            m =>
                m.Type == MessageTypes.EdgeStatus
                && m.Payload.TryGetProperty("requestId", out var id)
                && id.GetString() == requestId,
            $"edge:status {requestId}"
        );

    public async Task ReceiveLoopAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var result = await socket.ReceiveAsync(buffer, cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }
                message.Write(buffer, 0, result.Count);
                if (!result.EndOfMessage)
                {
                    continue;
                }
                var format =
                    result.MessageType == WebSocketMessageType.Binary
                        ? WireFormat.MessagePack
                        : WireFormat.Json;
                if (ProtocolMessage.TryParse(message.ToArray(), format, out var parsed, out _))
                {
                    _received.Writer.TryWrite(parsed);
                }
                message.SetLength(0);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // The agent went away or the server stops.
        }
        _received.Writer.TryComplete();
    }
}
