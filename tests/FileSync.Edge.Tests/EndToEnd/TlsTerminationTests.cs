using System.Text.Json;
using FileSync.Edge.Tests.Infrastructure;
using FileSync.Edge.Tests.Local;
using FileSync.Testing.Network;

namespace FileSync.Edge.Tests.EndToEnd;

/// <summary>
/// The agent behind a real nginx terminating TLS with a private CA (made with openssl), proxying the
/// WebSocket to the reference server: trust through SSL_CERT_FILE and SSL_CERT_DIR works, and every
/// certificate problem — and a URL of the wrong scheme — is named in the log and in <c>status</c>.
/// </summary>
[Trait("Category", "Integration")]
public sealed class TlsTerminationTests(ITestOutputHelper output) : LocalTestBase(output)
{
    private PrivateCertificateAuthority? _ca;
    private NginxInstance? _nginx;

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_nginx is not null)
        {
            await _nginx.DisposeAsync();
        }
        _ca?.Dispose();
    }

    /// <summary>The reference server behind nginx, which serves <paramref name="certificate"/> on a TLS port; returns that port.</summary>
    private async Task<int> StartBehindNginxAsync(
        IssuedCertificate certificate,
        bool fullChain = true,
        bool serverPings = true
    )
    {
        // Without its pings, the server speaks first only after 5 minutes of silence.
        await StartServerAsync(options =>
        {
            if (!serverPings)
            {
                options.KeepAliveInterval = TimeSpan.FromMinutes(5);
            }
        });
        var port = LoopbackPort.Unused();
        _nginx = await NginxInstance.StartAsync(
            $$"""
                server {
                    listen 127.0.0.1:{{port}} ssl;
                    ssl_certificate {{(
                fullChain ? certificate.FullChainPath : certificate.LeafOnlyPath
            )}};
                    ssl_certificate_key {{certificate.KeyPath}};
            {{NginxInstance.WebSocketProxyLocation("/ws/v1/edge", Server!.WebSocketUri)}}
                }
            """,
            [port],
            Output
        );
        return port;
    }

    private async Task<IssuedCertificate> IssueAsync(
        string hostName = "127.0.0.1",
        DateTimeOffset? notBefore = null,
        DateTimeOffset? notAfter = null
    )
    {
        _ca ??= await PrivateCertificateAuthority.CreateAsync();
        return await _ca.IssueServerCertificateAsync(hostName, notBefore, notAfter);
    }

    [NetworkTheory(NetworkParts.Nginx | NetworkParts.OpenSsl)]
    [InlineData("SSL_CERT_FILE")]
    [InlineData("SSL_CERT_DIR")]
    public async Task PrivateCaTrustedByVariable_SyncsThroughNginxTls(string variable)
    {
        var port = await StartBehindNginxAsync(await IssueAsync());
        var workspace = NewWorkspace();
        workspace.Write("a.txt", "through TLS");
        workspace.Write("sub/b.txt", "and nginx");

        var agent = await StartLocalAgentAsync(
            [workspace.Path],
            new Uri($"wss://127.0.0.1:{port}/ws/v1/edge"),
            new Dictionary<string, string?>
            {
                [variable] =
                    variable == "SSL_CERT_FILE" ? _ca!.RootCertificatePath : _ca!.TrustDirectory,
            }
        );

        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));
        // nginx logs a WebSocket request when it ends; the identity travels in a header, not the URL.
        Assert.Equal(0, await agent.StopAsync());
        await Wait.UntilAsync(
            () => _nginx!.AccessLog.Contains("GET /ws/v1/edge", StringComparison.Ordinal),
            "nginx to log the agent's request"
        );
        Assert.DoesNotContain("fingerprint", _nginx!.AccessLog);
    }

    [NetworkFact(NetworkParts.Nginx | NetworkParts.OpenSsl)]
    public async Task IdleThroughNginxTls_TheAgentsOwnPingsAreAnswered_OneConnectionThroughout()
    {
        // The agent writes its pings on the plaintext stream, under TLS; nginx passes them to the server and
        // its pongs back. A counting relay in front of nginx sees the TLS records. The server does not ping
        // first within the test, and a connection on which nothing moved for 4 s would be dropped (4 s, not 2:
        // under the full suite's load the relay, nginx and the server have held a pong back for over a second).
        await using var relay = new TcpRelay(
            await StartBehindNginxAsync(await IssueAsync(), serverPings: false)
        );
        File.WriteAllText(
            ConfigFile,
            """{"Uplink": {"KeepAliveSeconds": 1, "KeepAliveTimeoutSeconds": 4}}"""
        );
        var workspace = NewWorkspace();
        workspace.Write("a.txt", "through TLS");
        var agent = await StartLocalAgentAsync(
            [workspace.Path],
            new Uri($"wss://127.0.0.1:{relay.Port}/ws/v1/edge"),
            new Dictionary<string, string?> { ["SSL_CERT_FILE"] = _ca!.RootCertificatePath }
        );
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));

        // Ten pings and their pongs, each at least 14 and 10 bytes inside its TLS record.
        await relay.WaitForKeepAlivesAsync(10);
        Assert.Equal(1, relay.Accepted);
        Assert.DoesNotContain("Connection lost", agent.Output, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string> CertificateProblems =>
        new()
        {
            // case, what the cause names, what the hint says
            // .NET on Linux (OpenSSL) reports a chain whose root it does not trust as PartialChain, even when
            // the server sends that root too.
            { "untrusted", "PartialChain", "certificate not trusted: see README, Networks" },
            { "wrong-name", "RemoteCertificateNameMismatch", "name the certificate holds" },
            { "expired", "NotTimeValid", "renew it" },
            { "no-intermediate", "PartialChain", "intermediate certificate" },
        };

    [NetworkTheory(NetworkParts.Nginx | NetworkParts.OpenSsl)]
    [MemberData(nameof(CertificateProblems))]
    public async Task CertificateProblem_NamedInLogAndStatus_AgentKeepsTrying(
        string problem,
        string named,
        string hint
    )
    {
        var certificate = problem switch
        {
            "wrong-name" => await IssueAsync("sync.example.org"),
            "expired" => await IssueAsync(
                notBefore: DateTimeOffset.UtcNow.AddDays(-60),
                notAfter: DateTimeOffset.UtcNow.AddDays(-30)
            ),
            _ => await IssueAsync(),
        };
        var port = await StartBehindNginxAsync(
            certificate,
            fullChain: problem != "no-intermediate"
        );
        var workspace = NewWorkspace();
        workspace.Write("a.txt", "a");
        // Trusted: the CA's root, except in the untrusted case, which trusts another CA's.
        using var other =
            problem == "untrusted" ? await PrivateCertificateAuthority.CreateAsync() : null;

        var agent = await StartLocalAgentAsync(
            [workspace.Path],
            new Uri($"wss://127.0.0.1:{port}/ws/v1/edge"),
            new Dictionary<string, string?>
            {
                ["SSL_CERT_FILE"] = (other ?? _ca!).RootCertificatePath,
            }
        );

        var line = await agent.WaitForLineAsync(named);
        Assert.Contains("warn:", line.Text);
        Assert.Contains(hint, line.Text);
        var status = await WaitForLastErrorAsync(named);
        Assert.Contains(
            hint,
            status.GetProperty("connection").GetProperty("lastError").GetString()
        );
        Assert.False(agent.HasExited);
        var table = await CliAsync("status");
        Assert.Contains(named, table.Stdout);
    }

    [NetworkFact(NetworkParts.Nginx | NetworkParts.OpenSsl)]
    public async Task PlainWsToTheTlsPort_SaysUseWss()
    {
        var port = await StartBehindNginxAsync(await IssueAsync());
        var workspace = NewWorkspace();
        workspace.Write("a.txt", "a");

        var agent = await StartLocalAgentAsync(
            [workspace.Path],
            new Uri($"ws://127.0.0.1:{port}/ws/v1/edge")
        );

        var line = await agent.WaitForLineAsync("HTTP 400");
        Assert.Contains("the server speaks TLS: use wss://", line.Text);
        Assert.Contains("from nginx", line.Text);
        await WaitForLastErrorAsync("use wss://");
    }

    [NetworkFact(NetworkParts.OpenSsl)]
    public async Task WssToAPlainPort_SaysUseWs()
    {
        await StartServerAsync();
        var workspace = NewWorkspace();
        workspace.Write("a.txt", "a");

        var agent = await StartLocalAgentAsync(
            [workspace.Path],
            new Uri($"wss://127.0.0.1:{Server!.Port}/ws/v1/edge")
        );

        var line = await agent.WaitForLineAsync("use ws://");
        Assert.Contains("TLS handshake failed", line.Text);
        await WaitForLastErrorAsync("the server does not speak TLS: use ws://");
    }

    private async Task<JsonElement> WaitForLastErrorAsync(string text)
    {
        JsonElement status = default;
        await Wait.UntilAsync(
            async () =>
            {
                (_, status) = await StatusJsonAsync();
                return status.GetProperty("connection").TryGetProperty("lastError", out var error)
                    && error.GetString()!.Contains(text, StringComparison.Ordinal);
            },
            Wait.Generous,
            () => $"'{text}' in status: {status}"
        );
        return status;
    }
}
