using System.Globalization;
using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using FileSync.Protocol;
using FileSync.Protocol.Transport;

namespace FileSync.Edge.Uplink;

/// <summary>Opening a connection: the upgrade with the key, its timeout, and what an HTTP refusal means.</summary>
public sealed partial class UplinkConnection
{
    private async Task<UplinkTransport> ConnectAsync(CancellationToken cancellationToken)
    {
        // The connection's threads end with its stream; an attempt that fails, however it fails (an HTTP
        // refusal may leave the connection to the HTTP stack, which keeps it), closes it here.
        OwnThreadSocketStream? connection = null;
        try
        {
            return await ConnectAsync(stream => connection = stream, cancellationToken)
                .ConfigureAwait(false);
        }
        catch
        {
            connection?.Dispose();
            throw;
        }
    }

    private async Task<UplinkTransport> ConnectAsync(
        Action<OwnThreadSocketStream> connected,
        CancellationToken cancellationToken
    )
    {
        _attempt = new ConnectAttempt(ServerUri);
        _sessionStarted = false;
        var activity = new TransportActivity(_time);
        OwnThreadSocketStream? raw = null;
        KeepAlivePingStream? pings = null;
        var handler = new SocketsHttpHandler
        {
            UseCookies = false,
            // One request per handler, the upgrade, whose connection leaves the pool: nothing to keep. A pool
            // that keeps connections scavenges them on a timer (every 15 s at the default idle timeout, every
            // 30 s without one), which would wake an idle agent for as long as the connection lasts.
            PooledConnectionIdleTimeout = TimeSpan.Zero,
            UseProxy = _proxy is not null,
            Proxy = _proxy,
            // The raw connection (to the server, or to the proxy), read and written on threads of its own; its
            // send queue shows an upload draining.
            ConnectCallback = async (context, token) =>
            {
                var stream = await OwnThreadSocketStream
                    .ConnectAsync(context.DnsEndPoint, activity, token)
                    .ConfigureAwait(false);
                raw = stream;
                connected(stream);
                return stream;
            },
            // Above TLS, below the WebSocket: reports what moves, and carries the agent's own pings.
            PlaintextStreamFilter = (context, _) =>
            {
                pings = new KeepAlivePingStream(context.PlaintextStream, activity);
                return ValueTask.FromResult<Stream>(pings);
            },
        };
        // Records what the certificate check saw, so that a refused certificate is named; the decision stays
        // .NET's own (the system store, SSL_CERT_FILE, SSL_CERT_DIR). With an invoker, TLS settings live on the handler.
        TlsObservation? tls = null;
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
        {
            tls = TlsObservation.Of(certificate, chain, errors);
            return errors == SslPolicyErrors.None;
        };
        var invoker = new HttpMessageInvoker(handler);
        var socket = new ClientWebSocket();
        // No runtime keepalive: its timer ticks at a quarter of the interval. KeepAliveWatch pings instead.
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.SetRequestHeader(
            EdgeIdentityHeader.HeaderName,
            MachineFingerprint.ToWire(_fingerprint)
        );
        if (_capabilities.HeaderValue is { Length: > 0 } offered)
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
            await socket.ConnectAsync(ConnectUri, invoker, timeout.Token).ConfigureAwait(false);
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
            _attempt = _attempt with { Proxy = _proxy?.GetProxy(ConnectUri), Tls = tls };
            socket.Dispose();
            invoker.Dispose();
            cancellationToken.ThrowIfCancellationRequested();
            if (
                status is { } rejected
                && ServerRejection.IsServerKeyRejection((int)rejected, headers)
            )
            {
                throw new UplinkAuthenticationException(
                    $"The server rejected the API key (HTTP {(int)rejected}). Check --api-key / FILESYNC_API_KEY.",
                    ex
                );
            }
            if (ex is OperationCanceledException)
            {
                throw new TimeoutException(
                    $"Connecting to {ServerName} timed out after {_options.ConnectTimeoutSeconds} s.",
                    ex
                );
            }
            if (status is { } code && (int)code >= 300)
            {
                if (code == HttpStatusCode.BadRequest && ServerUri.Scheme == Uri.UriSchemeWs)
                {
                    _attempt = _attempt with
                    {
                        ServerSpeaksTls = await TlsProbe
                            .SpeaksTlsAsync(ServerUri, _time, cancellationToken)
                            .ConfigureAwait(false),
                    };
                }
                // One clear line, and the Retry-After (429, 503, a gateway's), which the next attempt honours.
                var refusal = new UplinkUpgradeRefusedException(
                    (int)code,
                    "",
                    RetryAfter(headers),
                    ex,
                    Header(headers, "Server")
                );
                throw new UplinkUpgradeRefusedException(
                    refusal.StatusCode,
                    ConnectionFailure.Describe(refusal, _attempt).ToString(),
                    refusal.RetryAfter,
                    ex,
                    refusal.ServerHeader
                );
            }
            throw;
        }
        if (
            !_identityInQuery
            && _options.IdentityInUrl == IdentityInUrl.Auto
            && !string.Equals(
                Header(socket.HttpResponseHeaders, EdgeIdentityHeader.HeaderName),
                EdgeIdentityHeader.Acknowledged,
                StringComparison.OrdinalIgnoreCase
            )
        )
        {
            await CloseQuietlyAsync(socket, "the identity goes in the URL next")
                .ConfigureAwait(false);
            socket.Dispose();
            invoker.Dispose();
            throw new IdentityNotReadException();
        }
        socket.HttpResponseHeaders = null;
        pings?.StartFraming();
        return new UplinkTransport(socket, invoker, activity, raw, pings);
    }

    /// <summary>The server answered the upgrade without acknowledging the identity header: it reads only the query.</summary>
    private sealed class IdentityNotReadException : Exception;

    /// <summary>What the last connect attempt knew besides its exception.</summary>
    private ConnectAttempt LastAttempt() => _attempt ?? new ConnectAttempt(ServerUri);

    private ConnectAttempt? _attempt;

    /// <summary>Whether the current connection got as far as <c>connected_edge</c>.</summary>
    private bool _sessionStarted;

    private static string? Header(
        IReadOnlyDictionary<string, IEnumerable<string>>? headers,
        string name
    ) =>
        headers
            ?.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase))
            .Value?.FirstOrDefault()
            ?.Trim();

    private async Task CloseQuietlyAsync(ClientWebSocket socket, string reason)
    {
        try
        {
            using var timeout = new CancellationTokenSource(s_closeTimeout, _time);
            await socket
                .CloseOutputAsync(WebSocketCloseStatus.NormalClosure, reason, timeout.Token)
                .ConfigureAwait(false);
        }
        catch (Exception ex)
            when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            // Best effort: the socket is dropped either way.
        }
    }

    /// <summary>The delay a <c>Retry-After</c> header asks for (seconds or an HTTP date), capped at 10 minutes.</summary>
    private TimeSpan? RetryAfter(IReadOnlyDictionary<string, IEnumerable<string>>? headers)
    {
        var value = Header(headers, "Retry-After");
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
