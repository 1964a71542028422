using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using FileSync.Edge.Uplink;

namespace FileSync.Edge.Tests.Uplink;

/// <summary>Each kind of connection failure in one line: its cause, and a hint where the cause is known.</summary>
public sealed class ConnectionFailureTests
{
    private static readonly Uri s_wss = new("wss://sync.example.com/ws/v1/edge");
    private static readonly Uri s_ws = new("ws://127.0.0.1:8443/ws/v1/edge");

    private static Exception Wrapped(Exception inner) =>
        new WebSocketException("Unable to connect to the remote server", inner);

    [Fact]
    public void RefusedPort_NamesTheInnermostCauseWithTheAddress()
    {
        var failure = Wrapped(
            new HttpRequestException(
                HttpRequestError.ConnectionError,
                "Connection refused (127.0.0.1:9)",
                new SocketException((int)SocketError.ConnectionRefused)
            )
        );

        var described = ConnectionFailure.Describe(failure, new ConnectAttempt(s_ws));

        Assert.Equal("Connection refused (127.0.0.1:9)", described.Cause);
        Assert.Null(described.Hint);
    }

    [Theory]
    [InlineData(X509ChainStatusFlags.UntrustedRoot, "UntrustedRoot", ConnectionFailure.TrustHint)]
    [InlineData(X509ChainStatusFlags.PartialChain, "PartialChain", "intermediate certificate")]
    [InlineData(X509ChainStatusFlags.NotTimeValid, "NotTimeValid", "renew it")]
    public void RefusedCertificate_NamesTheChainStatusAndHints(
        X509ChainStatusFlags status,
        string named,
        string hint
    )
    {
        var tls = new TlsObservation(
            SslPolicyErrors.RemoteCertificateChainErrors,
            [new X509ChainStatus { Status = status, StatusInformation = "details" }],
            "CN=sync.example.com",
            DateTimeOffset.Parse("2020-01-01T00:00:00Z"),
            DateTimeOffset.Parse("2020-02-01T00:00:00Z")
        );
        var failure = Wrapped(
            new HttpRequestException(
                HttpRequestError.SecureConnectionError,
                "The SSL connection could not be established, see inner exception.",
                new AuthenticationException(
                    "The remote certificate was rejected by the provided RemoteCertificateValidationCallback."
                )
            )
        );

        var described = ConnectionFailure.Describe(failure, new ConnectAttempt(s_wss, Tls: tls));

        Assert.Contains(named + " (details)", described.Cause);
        Assert.Contains(hint, described.Hint);
    }

    [Fact]
    public void WrongHostName_SaysWhomTheCertificateIsFor()
    {
        var tls = new TlsObservation(
            SslPolicyErrors.RemoteCertificateNameMismatch,
            [],
            "CN=other.example.com",
            null,
            null
        );

        var described = ConnectionFailure.Describe(
            Wrapped(new AuthenticationException("rejected")),
            new ConnectAttempt(s_wss, Tls: tls)
        );

        Assert.Contains("RemoteCertificateNameMismatch", described.Cause);
        Assert.Contains("CN=other.example.com, not sync.example.com", described.Cause);
        Assert.Contains("name the certificate holds", described.Hint);
    }

    [Fact]
    public void TlsHandshakeWithoutACertificate_OnWss_SaysUseWs()
    {
        var failure = Wrapped(
            new HttpRequestException(
                HttpRequestError.SecureConnectionError,
                "The SSL connection could not be established, see inner exception.",
                new AuthenticationException(
                    "Cannot determine the frame size or a corrupted frame was received."
                )
            )
        );

        var described = ConnectionFailure.Describe(failure, new ConnectAttempt(s_wss));

        Assert.Contains("Cannot determine the frame size", described.Cause);
        Assert.Equal(ConnectionFailure.UseWsHint, described.Hint);
    }

    [Theory]
    [InlineData(407, "wants credentials")]
    [InlineData(403, "does not allow a tunnel")]
    public void ProxyTunnelRefused_NamesTheProxysStatus(int status, string hint)
    {
        var message =
            $"The proxy tunnel request to proxy 'http://127.0.0.1:3128/' failed with status code '{status}'.";
        var failure = Wrapped(new HttpRequestException(HttpRequestError.ProxyTunnelError, message));

        var described = ConnectionFailure.Describe(
            failure,
            new ConnectAttempt(s_wss, Proxy: new Uri("http://127.0.0.1:3128"))
        );

        Assert.Equal(message, described.Cause);
        Assert.Contains(hint, described.Hint);
    }

    [Fact]
    public void ProxyDown_SaysTheProxyCannotBeReached()
    {
        var failure = Wrapped(
            new HttpRequestException(
                HttpRequestError.ConnectionError,
                "Connection refused (127.0.0.1:3128)",
                new SocketException((int)SocketError.ConnectionRefused)
            )
        );

        var described = ConnectionFailure.Describe(
            failure,
            new ConnectAttempt(s_wss, Proxy: new Uri("http://127.0.0.1:3128"))
        );

        Assert.StartsWith("the proxy http://127.0.0.1:3128 cannot be reached", described.Cause);
        Assert.Contains("Connection refused (127.0.0.1:3128)", described.Cause);
    }

    [Theory]
    [InlineData(true, ConnectionFailure.UseWssHint)]
    [InlineData(false, ConnectionFailure.UpgradeDroppedHint)]
    public void Http400OnWs_HintDependsOnWhetherThePortSpeaksTls(bool speaksTls, string hint)
    {
        var refused = new UplinkUpgradeRefusedException(
            400,
            "",
            null,
            serverHeader: "nginx/1.22.1"
        );

        var described = ConnectionFailure.Describe(
            refused,
            new ConnectAttempt(s_ws, ServerSpeaksTls: speaksTls)
        );

        Assert.Contains("HTTP 400 (BadRequest) from nginx/1.22.1", described.Cause);
        Assert.Equal(hint, described.Hint);
    }

    [Theory]
    [InlineData(401)]
    [InlineData(403)]
    public void GatewayRefusal_NamesStatusAndServerAndSaysItIsNotTheKeyCheck(int status)
    {
        var refused = new UplinkUpgradeRefusedException(
            status,
            "",
            null,
            serverHeader: "cloudflare"
        );

        var described = ConnectionFailure.Describe(refused, new ConnectAttempt(s_wss));

        Assert.Contains($"HTTP {status}", described.Cause);
        Assert.Contains("from cloudflare", described.Cause);
        Assert.Equal(ConnectionFailure.GatewayHint, described.Hint);
        Assert.True(refused.IsGatewayRefusal);
    }

    [Fact]
    public void ServerClosed_SaysTheCloseCodeAndReason()
    {
        var described = ConnectionFailure.Describe(
            null,
            new ConnectAttempt(
                s_ws,
                Closed: "the server closed the connection (close 1001: going away)"
            )
        );

        Assert.Equal("the server closed the connection (close 1001: going away)", described.Cause);
    }

    [Fact]
    public void ToString_IsOneLineWithTheHint()
    {
        var text = new ConnectionFailure("cause", "hint").ToString();

        Assert.Equal("cause — hint", text);
        Assert.DoesNotContain('\n', text);
    }
}
