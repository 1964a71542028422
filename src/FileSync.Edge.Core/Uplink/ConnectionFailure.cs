using System.Globalization;
using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;

namespace FileSync.Edge.Uplink;

/// <summary>
/// Why a connect failed or a connection was lost, in one line: the cause (the innermost exception's
/// message, the certificate chain's status, the proxy's or gateway's status code) and, where the cause is
/// known, a hint what to do. The text of the log line, <c>status</c> and the tray.
/// </summary>
public sealed partial record ConnectionFailure(string Cause, string? Hint)
{
    public const string TrustHint = "certificate not trusted: see README, Networks";
    public const string UseWssHint = "the server speaks TLS: use wss://";
    public const string UseWsHint = "the server does not speak TLS: use ws://";
    public const string UpgradeDroppedHint =
        "HTTP 400 on the upgrade: a proxy in between may be dropping the Upgrade header";
    public const string GatewayHint =
        "not the sync server's key check (it marks its own 401): a gateway, proxy or CDN in front refused the connection; retried after a long pause";

    /// <summary>Messages of wrappers that say nothing about the cause; the exception inside says it.</summary>
    private static readonly string[] s_wrapperMessages =
    [
        "Unable to connect to the remote server",
        "The SSL connection could not be established",
        "An error occurred while sending the request",
    ];

    public override string ToString() => Hint is null ? Cause : $"{Cause} — {Hint}";

    public static ConnectionFailure Describe(Exception? failure, ConnectAttempt attempt)
    {
        switch (failure)
        {
            case null:
                return new(attempt.Closed ?? "the server closed the connection", null);
            case UplinkUpgradeRefusedException refused:
                return Refused(refused, attempt);
            case UplinkAuthenticationException or UplinkReplacedException or TimeoutException:
                return new(Clean(failure.Message), null);
        }
        if (attempt.Tls is { Accepted: false } tls)
        {
            return Certificate(tls, attempt.Server.Host);
        }
        var message = Innermost(failure);
        if (ProxyTunnelStatus(failure) is { } proxyStatus)
        {
            return new(
                message,
                proxyStatus switch
                {
                    407 =>
                        "the proxy wants credentials: give them in the proxy's URL, http://user:password@host:port (see README, Networks)",
                    403 => "the proxy does not allow a tunnel to this host and port",
                    _ => null,
                }
            );
        }
        if (
            attempt.Proxy is { } proxy
            && message.Contains(proxy.Authority, StringComparison.OrdinalIgnoreCase)
        )
        {
            return new(
                $"the proxy {proxy.GetLeftPart(UriPartial.Authority)} cannot be reached: {message}",
                "is the proxy running, and are HTTPS_PROXY / ALL_PROXY right?"
            );
        }
        if (
            attempt.Server.Scheme == Uri.UriSchemeWss
            && attempt.Tls is null
            && IsTlsHandshakeFailure(failure)
        )
        {
            return new($"the TLS handshake failed: {message}", UseWsHint);
        }
        return new(message, null);
    }

    private static ConnectionFailure Refused(
        UplinkUpgradeRefusedException refused,
        ConnectAttempt attempt
    )
    {
        var code = refused.StatusCode;
        var from = refused.ServerHeader is { Length: > 0 } server ? $" from {Clean(server)}" : "";
        var cause =
            $"HTTP {code} ({(HttpStatusCode)code}){from} on the WebSocket upgrade at {attempt.Server.GetLeftPart(UriPartial.Path)}";
        var hint = code switch
        {
            400 when attempt.ServerSpeaksTls == true => UseWssHint,
            400 => UpgradeDroppedHint,
            401 or 403 => GatewayHint,
            404 => "is the URL right (it usually ends in /ws/v1/edge)?",
            426 => "it wants another protocol version",
            429 or 503 => "it asks to come back later",
            _ => null,
        };
        return new(cause, hint);
    }

    private static ConnectionFailure Certificate(TlsObservation tls, string host)
    {
        var problems = new List<string>();
        if (tls.Errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            problems.Add("RemoteCertificateNotAvailable");
        }
        if (tls.Errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            problems.Add(
                $"RemoteCertificateNameMismatch (the certificate is for {Clean(tls.Subject ?? "?")}, not {host})"
            );
        }
        problems.AddRange(
            tls.ChainStatus.Select(s =>
                s.StatusInformation.Trim() is { Length: > 0 } information
                    ? $"{s.Status} ({Clean(information)})"
                    : s.Status.ToString()
            )
        );
        var hint =
            tls.Has(X509ChainStatusFlags.NotTimeValid)
                ? string.Create(
                    CultureInfo.InvariantCulture,
                    $"the certificate is valid from {tls.NotBefore:yyyy-MM-dd HH:mm} to {tls.NotAfter:yyyy-MM-dd HH:mm} UTC: renew it, or check this machine's clock"
                )
            : tls.Has(X509ChainStatusFlags.PartialChain)
                ? "the server may not send its intermediate certificate, or its CA is not trusted here: "
                    + TrustHint
            : tls.ChainStatus.Count > 0 ? TrustHint
            : tls.Errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch)
                ? "connect by a name the certificate holds, or give the server a certificate for this name"
            : null;
        return new($"the server's certificate was refused: {string.Join(", ", problems)}", hint);
    }

    /// <summary>The status code of a failed <c>CONNECT</c> to a proxy, or null.</summary>
    private static int? ProxyTunnelStatus(Exception failure)
    {
        for (var ex = failure; ex is not null; ex = ex.InnerException)
        {
            if (
                ex is HttpRequestException
                {
                    HttpRequestError: HttpRequestError.ProxyTunnelError
                } http
            )
            {
                if (http.StatusCode is { } status)
                {
                    return (int)status;
                }
                var match = ProxyStatusPattern().Match(http.Message);
                return match.Success
                    ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)
                    : 0;
            }
        }
        return null;
    }

    private static bool IsTlsHandshakeFailure(Exception failure)
    {
        for (var ex = failure; ex is not null; ex = ex.InnerException)
        {
            if (
                ex is AuthenticationException
                || ex
                    is HttpRequestException
                    {
                        HttpRequestError: HttpRequestError.SecureConnectionError
                    }
            )
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// The innermost exception's message — where the cause is named — or an outer one that repeats it with
    /// more (<c>Connection refused (127.0.0.1:9)</c> around <c>Connection refused</c>); wrappers that say
    /// nothing are skipped.
    /// </summary>
    internal static string Innermost(Exception failure)
    {
        var chain = new List<Exception>();
        for (var ex = failure; ex is not null; ex = ex.InnerException)
        {
            chain.Add(ex);
        }
        var best = chain[^1].Message.Trim();
        for (var i = chain.Count - 2; i >= 0; i--)
        {
            var outer = chain[i].Message.Trim();
            if (
                outer.Length > best.Length
                && outer.StartsWith(best.TrimEnd('.'), StringComparison.Ordinal)
            )
            {
                best = outer;
            }
        }
        if (
            best.Length == 0
            || s_wrapperMessages.Any(w => best.StartsWith(w, StringComparison.Ordinal))
        )
        {
            best =
                chain
                    .Select(e => e.Message.Trim())
                    .LastOrDefault(m =>
                        m.Length > 0
                        && !s_wrapperMessages.Any(w => m.StartsWith(w, StringComparison.Ordinal))
                    )
                ?? chain[0].Message.Trim();
        }
        return Clean(best);
    }

    private static string Clean(string text) => FileSync.Protocol.LogText.Clean(text);

    [GeneratedRegex(@"status code '(\d{3})'")]
    private static partial Regex ProxyStatusPattern();
}
