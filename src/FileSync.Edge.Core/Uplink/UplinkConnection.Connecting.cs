using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using FileSync.Protocol;
using FileSync.Protocol.Transport;

namespace FileSync.Edge.Uplink;

/// <summary>Opening a connection: the upgrade with the key, its timeout, and what an HTTP refusal means.</summary>
public sealed partial class UplinkConnection
{
    /// <summary>
    /// How long the runtime's own keepalive waits for a pong before it gives up: only a backstop. On a slow
    /// link a pong waits behind everything the agent has queued, so the real deadline is the
    /// <see cref="TransportActivity"/> check (nothing moved for <see cref="UplinkOptions.KeepAliveTimeout"/>).
    /// </summary>
    private static readonly TimeSpan s_pongBackstop = TimeSpan.FromMinutes(10);

    private async Task<UplinkTransport> ConnectAsync(CancellationToken cancellationToken)
    {
        var activity = new TransportActivity(_time);
        Socket? raw = null;
        var handler = new SocketsHttpHandler
        {
            UseCookies = false,
            UseProxy = _proxy is not null,
            Proxy = _proxy,
            // The raw connection (to the server, or to the proxy) reports what moves on it.
            ConnectCallback = async (context, token) =>
            {
                var tcp = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await tcp.ConnectAsync(context.DnsEndPoint, token).ConfigureAwait(false);
                    raw = tcp;
                    return new ActivityStream(new NetworkStream(tcp, ownsSocket: true), activity);
                }
                catch
                {
                    tcp.Dispose();
                    throw;
                }
            },
        };
        var invoker = new HttpMessageInvoker(handler);
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = _options.KeepAlive;
        socket.Options.KeepAliveTimeout = s_pongBackstop;
        socket.Options.CollectHttpResponseDetails = true;
        if (OfferedCapabilities() is { Length: > 0 } offered)
        {
            // What this agent can do beyond JSON; a server that knows the header answers with capabilities.
            socket.Options.SetRequestHeader(EdgeCapabilities.HeaderName, offered);
        }
        if (_options.Compression)
        {
            // Every message compressed on its own: what one file contains never shows in another's size.
            socket.Options.DangerousDeflateOptions = new WebSocketDeflateOptions
            {
                ClientContextTakeover = false,
                ServerContextTakeover = false,
            };
        }
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
        using var connectTimeout = new CancellationTokenSource(_options.ConnectTimeout, _time);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(
            cancellationToken,
            connectTimeout.Token
        );
        try
        {
            await socket.ConnectAsync(ServerUri, invoker, timeout.Token).ConfigureAwait(false);
            return new UplinkTransport(socket, invoker, activity, raw);
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
            invoker.Dispose();
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

    /// <summary>The <see cref="EdgeCapabilities.HeaderName"/> value: what the options let this agent offer.</summary>
    private string OfferedCapabilities() =>
        (_options.MessagePack, _options.FastHash) switch
        {
            (true, true) => Capabilities.MessagePack + "," + Capabilities.XxHash128,
            (true, false) => Capabilities.MessagePack,
            (false, true) => Capabilities.XxHash128,
            _ => "",
        };

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
}
