using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using FileSync.Edge.Tests.Infrastructure;
using FileSync.Protocol;

namespace FileSync.Edge.Tests.Server;

/// <summary>
/// A bare <see cref="ClientWebSocket"/> playing the edge, so server tests control every frame.
/// Every wait is bounded by <see cref="Timeout"/>.
/// </summary>
internal sealed class RawEdgeClient : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = Debugger.IsAttached
        ? System.Threading.Timeout.InfiniteTimeSpan
        : Wait.Generous;

    private RawEdgeClient(ClientWebSocket socket, ReceivedFrame hello)
    {
        Socket = socket;
        Hello = hello;
        EdgeId = hello.Message.Payload.GetProperty("edgeId").GetString()!;
    }

    public ClientWebSocket Socket { get; }

    /// <summary>The <c>connected_edge</c> frame the server sent first.</summary>
    public ReceivedFrame Hello { get; }

    public string EdgeId { get; }

    public static async Task<RawEdgeClient> ConnectAsync(
        InProcessServer server,
        string? fingerprint = "test-machine",
        string? apiKey = null,
        bool messagePack = false,
        bool xxh128 = false,
        string? subprotocol = null
    )
    {
        var socket = CreateSocket(apiKey, subprotocol);
        string[] asked =
        [
            .. messagePack ? [Capabilities.MessagePack] : (string[])[],
            .. xxh128 ? [Capabilities.XxHash128] : (string[])[],
        ];
        if (asked.Length > 0)
        {
            socket.Options.SetRequestHeader(EdgeCapabilities.HeaderName, string.Join(", ", asked));
        }
        try
        {
            using var cancel = new CancellationTokenSource(Timeout);
            await socket.ConnectAsync(EdgeUri(server, fingerprint), cancel.Token);
            var hello = await ReceiveFrameAsync(socket);
            Assert.Equal(MessageTypes.ConnectedEdge, hello.Message.Type);
            return new RawEdgeClient(socket, hello);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <param name="subprotocol">Offered as the WebSocket subprotocol (how todoforai clients send the key); the connect fails unless the server echoes it.</param>
    public static ClientWebSocket CreateSocket(string? apiKey, string? subprotocol = null)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (subprotocol is not null)
        {
            socket.Options.AddSubProtocol(subprotocol);
        }
        if (apiKey is not null)
        {
            socket.Options.SetRequestHeader("Authorization", "Bearer " + apiKey);
        }
        return socket;
    }

    public static Uri EdgeUri(InProcessServer server, string? fingerprint) =>
        fingerprint is null
            ? server.WebSocketUri
            : new Uri(server.WebSocketUri + "?fingerprint=" + Uri.EscapeDataString(fingerprint));

    public async Task SendTextAsync(string json)
    {
        using var cancel = new CancellationTokenSource(Timeout);
        await Socket.SendAsync(
            Encoding.UTF8.GetBytes(json),
            WebSocketMessageType.Text,
            true,
            cancel.Token
        );
    }

    public async Task SendBinaryAsync(byte[] bytes)
    {
        using var cancel = new CancellationTokenSource(Timeout);
        await Socket.SendAsync(bytes, WebSocketMessageType.Binary, true, cancel.Token);
    }

    /// <summary>The next complete frame; fails on a close or a timeout.</summary>
    public Task<ReceivedFrame> ReceiveAsync() => ReceiveFrameAsync(Socket);

    /// <summary>The next frame, which must be of <paramref name="type"/>.</summary>
    public async Task<ReceivedFrame> ReceiveAsync(string type)
    {
        var frame = await ReceiveAsync();
        Assert.True(frame.Message.Type == type, $"expected a '{type}' frame, got: {frame.Text}");
        return frame;
    }

    /// <summary>The next frame, which must be an <c>error</c> with <paramref name="code"/>.</summary>
    public async Task<ReceivedFrame> ReceiveErrorAsync(string code)
    {
        var frame = await ReceiveAsync(MessageTypes.Error);
        Assert.Equal(code, frame.Message.Payload.GetProperty("code").GetString());
        return frame;
    }

    /// <summary>Reads until the server closes; returns its close status.</summary>
    public async Task<WebSocketCloseStatus?> WaitForCloseAsync()
    {
        using var cancel = new CancellationTokenSource(Timeout);
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var result = await Socket.ReceiveAsync(buffer, cancel.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    // Complete the closing handshake as a real edge would.
                    await Socket.CloseOutputAsync(
                        WebSocketCloseStatus.NormalClosure,
                        "",
                        cancel.Token
                    );
                    return result.CloseStatus;
                }
            }
        }
        catch (WebSocketException)
        {
            return Socket.CloseStatus;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Socket.State == WebSocketState.Open)
        {
            try
            {
                using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await Socket.CloseOutputAsync(
                    WebSocketCloseStatus.NormalClosure,
                    "test done",
                    cancel.Token
                );
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
                // The server is gone already.
            }
        }
        Socket.Dispose();
    }

    /// <summary>The next complete frame of <paramref name="socket"/>; fails on a close or a timeout.</summary>
    public static async Task<ReceivedFrame> ReceiveFrameAsync(ClientWebSocket socket)
    {
        using var cancel = new CancellationTokenSource(Timeout);
        using var message = new MemoryStream();
        var buffer = new byte[16 * 1024];
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer, cancel.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                throw new InvalidOperationException(
                    $"the server closed the connection ({result.CloseStatus} {result.CloseStatusDescription}) instead of sending a frame"
                );
            }
            message.Write(buffer, 0, result.Count);
        } while (!result.EndOfMessage);

        var bytes = message.ToArray();
        var format =
            result.MessageType == WebSocketMessageType.Binary
                ? WireFormat.MessagePack
                : WireFormat.Json;
        Assert.True(
            ProtocolMessage.TryParse(bytes, format, out var parsed, out var error),
            $"server sent an unparsable {format} frame ({error}): {Encoding.UTF8.GetString(bytes)}"
        );
        var text =
            format == WireFormat.Json
                ? Encoding.UTF8.GetString(bytes)
                : parsed.Payload.GetRawText();
        return new ReceivedFrame(text, parsed);
    }
}

/// <summary>A frame received from the server: raw text and parsed envelope.</summary>
internal sealed record ReceivedFrame(string Text, ProtocolMessage Message)
{
    public JsonElement Payload => Message.Payload;

    /// <summary>How the server encoded it.</summary>
    public WireFormat Format => Message.Format;
}
