using System.Text.Json;
using FileSync.Edge.Tests.Infrastructure;
using FileSync.Edge.Tests.Local;
using FileSync.Edge.Tests.Server;
using FileSync.Edge.Uplink;
using FileSync.Testing.Network;

namespace FileSync.Edge.Tests.EndToEnd;

/// <summary>
/// What stands between the agent and its server, for real: nginx answering 401/403 itself (<c>deny</c>,
/// <c>return 403</c>, <c>auth_basic</c>) is retried and named, not taken for a rejected key; the server's
/// own 401 through the same nginx is; a CONNECT proxy's 407 is named; and a replayed identity makes the
/// agent pause and come back instead of exiting.
/// </summary>
[Trait("Category", "Integration")]
public sealed class GatewayAndProxyTests(ITestOutputHelper output) : LocalTestBase(output)
{
    private NginxInstance? _nginx;
    private ForwardProxyInstance? _proxy;
    private PrivateCertificateAuthority? _ca;

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_nginx is not null)
        {
            await _nginx.DisposeAsync();
        }
        if (_proxy is not null)
        {
            await _proxy.DisposeAsync();
        }
        _ca?.Dispose();
    }

    /// <summary>A config file with the long pause at 1 s, so a test sees the retry.</summary>
    private void WriteShortLongRetryConfig() =>
        File.WriteAllText(
            ConfigFile,
            """{ "Uplink": { "LongRetrySeconds": 1, "LongRetryMaxSeconds": 2 } }"""
        );

    public static TheoryData<string, int> Gateways =>
        new()
        {
            { "deny all;", 403 },
            { "return 403;", 403 },
            { "auth_basic \"gate\"; auth_basic_user_file {folder}/htpasswd;", 401 },
        };

    [NetworkTheory(NetworkParts.Nginx)]
    [MemberData(nameof(Gateways))]
    public async Task GatewayRefusesTheUpgrade_RetriedAndNamedWithStatusAndServer_NotExit3(
        string directive,
        int status
    )
    {
        await StartServerAsync(apiKey: "the-key");
        var port = LoopbackPort.Unused();
        _nginx = await NginxInstance.StartAsync(
            $$"""
                server {
                    listen 127.0.0.1:{{port}};
                    location /ws/v1/edge {
                        {{directive}}
                        proxy_pass http://127.0.0.1:{{Server!.Port}};
                        proxy_http_version 1.1;
                        proxy_set_header Upgrade $http_upgrade;
                        proxy_set_header Connection "upgrade";
                    }
                }
            """,
            [port],
            Output,
            prepare: folder =>
                File.WriteAllText(Path.Combine(folder, "htpasswd"), "user:{PLAIN}secret\n")
        );
        WriteShortLongRetryConfig();
        var workspace = NewWorkspace();
        workspace.Write("a.txt", "a");

        var agent = await StartLocalAgentAsync(
            [workspace.Path],
            new Uri($"ws://127.0.0.1:{port}/ws/v1/edge")
        );

        var line = await agent.WaitForLineAsync($"HTTP {status}");
        Assert.Contains("from nginx", line.Text);
        Assert.Contains("not the sync server's key check", line.Text);
        // Tried again after the (here 1 s) pause, still running.
        await Wait.UntilAsync(
            () =>
                agent.Lines.Count(l => l.Contains($"HTTP {status}", StringComparison.Ordinal)) >= 2,
            "a second attempt after the pause"
        );
        Assert.False(agent.HasExited);
        var inStatus = await WaitForLastErrorAsync($"HTTP {status}");
        Assert.Contains(
            "from nginx",
            inStatus.GetProperty("connection").GetProperty("lastError").GetString()
        );
    }

    [NetworkFact(NetworkParts.Nginx)]
    public async Task ServersOwn401ThroughNginx_ExitsWithCode3()
    {
        await StartServerAsync(apiKey: "the-key");
        var port = LoopbackPort.Unused();
        _nginx = await NginxInstance.StartAsync(
            $$"""
                server {
                    listen 127.0.0.1:{{port}};
            {{NginxInstance.WebSocketProxyLocation("/ws/v1/edge", Server!.WebSocketUri)}}
                }
            """,
            [port],
            Output
        );
        var workspace = NewWorkspace();
        workspace.Write("a.txt", "a");

        var agent = StartAgentVia(
            new Uri($"ws://127.0.0.1:{port}/ws/v1/edge"),
            [workspace.Path],
            "--api-key",
            "not-the-key"
        );

        Assert.Equal(3, await agent.WaitForExitAsync(Wait.Generous));
        Assert.Contains(
            agent.Lines,
            l => l.Contains("rejected the API key", StringComparison.Ordinal)
        );
        Assert.DoesNotContain("not-the-key", agent.Output);
    }

    [NetworkFact(NetworkParts.Nginx | NetworkParts.OpenSsl | NetworkParts.ForwardProxy)]
    public async Task ConnectProxyAsksForCredentials_407NamedInStatus()
    {
        await StartServerAsync();
        _ca = await PrivateCertificateAuthority.CreateAsync();
        var certificate = await _ca.IssueServerCertificateAsync("127.0.0.1");
        var port = LoopbackPort.Unused();
        _nginx = await NginxInstance.StartAsync(
            $$"""
                server {
                    listen 127.0.0.1:{{port}} ssl;
                    ssl_certificate {{certificate.FullChainPath}};
                    ssl_certificate_key {{certificate.KeyPath}};
            {{NginxInstance.WebSocketProxyLocation("/ws/v1/edge", Server!.WebSocketUri)}}
                }
            """,
            [port],
            Output
        );
        _proxy = await ForwardProxyInstance.StartAsync(Output, "user", "secret");
        var workspace = NewWorkspace();
        workspace.Write("a.txt", "a");

        var agent = await StartLocalAgentAsync(
            [workspace.Path],
            new Uri($"wss://127.0.0.1:{port}/ws/v1/edge"),
            new Dictionary<string, string?>
            {
                ["SSL_CERT_FILE"] = _ca.RootCertificatePath,
                ["HTTPS_PROXY"] = _proxy.Uri.ToString(),
                ["NO_PROXY"] = "",
            }
        );

        var line = await agent.WaitForLineAsync("'407'");
        Assert.Contains("proxy wants credentials", line.Text);
        await WaitForLastErrorAsync("'407'");
        Assert.False(agent.HasExited);
    }

    [Fact]
    public async Task ReplayedIdentity_AgentPausesSaysSoAndComesBack()
    {
        await StartServerAsync();
        WriteShortLongRetryConfig();
        var workspace = NewWorkspace();
        workspace.Write("a.txt", "a");
        var agent = StartAgentProcess(
            Server!.WebSocketUri,
            [workspace.Path],
            asUnprivilegedUser: false,
            CliEnvironment(),
            "--config",
            ConfigFile,
            "--name",
            "replay-me"
        );
        await WaitForEndpointAsync(agent);
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));
        var connected = agent.Lines.Count(l =>
            l.Contains("Connected to", StringComparison.Ordinal)
        );

        // Someone replays the identity as a proxy's access log would show it (?fingerprint=).
        await using var replay = await RawEdgeClient.ConnectAsync(
            Server,
            fingerprint: MachineFingerprint.ToWire("replay-me")
        );

        await agent.WaitForLineAsync("Another connection of this edge's identity");
        await Wait.UntilAsync(
            () =>
                agent.Lines.Count(l => l.Contains("Connected to", StringComparison.Ordinal))
                > connected,
            "the agent to connect again after its pause"
        );
        Assert.False(agent.HasExited);
        var status = await WaitForLastErrorAsync("Another connection of this edge's identity");
        Assert.Contains(
            "close 4002",
            status.GetProperty("connection").GetProperty("lastError").GetString()
        );
        // And it still syncs.
        workspace.Write("b.txt", "after the replay");
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));
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
