using FileSync.Edge.Tests.EndToEnd;
using FileSync.Edge.Tests.Infrastructure;

namespace FileSync.Edge.Tests.Uplink;

/// <summary>
/// The agent through a real CONNECT proxy (its own tinyproxy on a free loopback port): chosen by the
/// config file, the command line or the standard variables; bypassed by <c>NO_PROXY</c>.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ProxyTests(ITestOutputHelper output) : EndToEndTestBase(output)
{
    private TinyproxyInstance? _proxy;

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_proxy is not null)
        {
            await _proxy.DisposeAsync();
        }
    }

    private async Task<TinyproxyInstance> StartProxyAsync(string? basicAuth = null) =>
        _proxy = await TinyproxyInstance.StartAsync(Output, basicAuth);

    private string ConnectLine => $"CONNECT 127.0.0.1:{Server!.Port}";

    private TempDirectory NewPopulatedWorkspace()
    {
        var workspace = NewWorkspace();
        workspace.Write("a.txt", "through the proxy");
        workspace.Write("sub/b.txt", "and this one");
        return workspace;
    }

    [TinyproxyFact]
    public async Task ConfigProxy_WithCredentials_TunnelsThroughItAndNeverLogsThePassword()
    {
        await StartServerAsync();
        var proxy = await StartProxyAsync(basicAuth: "alice s3cret-pw");
        var config = Path.Combine(NewDirectory().Path, "config.json");
        File.WriteAllText(
            config,
            $$$"""{"Uplink": {"Proxy": "{{{proxy.Url("alice:s3cret-pw")}}}"}}"""
        );
        var workspace = NewPopulatedWorkspace();

        var agent = StartAgent([workspace.Path], "--config", config, "--log-level", "Debug");

        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));
        Assert.Contains(ConnectLine, proxy.Log, StringComparison.Ordinal);
        Assert.Contains(
            $"Connecting through the proxy http://alice@127.0.0.1:{proxy.Port} (from Uplink:Proxy)",
            agent.Output,
            StringComparison.Ordinal
        );
        Assert.DoesNotContain("s3cret-pw", agent.Output, StringComparison.Ordinal);
    }

    [TinyproxyFact]
    public async Task Idle_ThroughTheProxy_TheAgentsOwnPingsKeepOneConnection()
    {
        // The server does not ping first within the test: the agent's pings (after 1 s of quiet) and the
        // server's pongs are all that crosses the proxy's tunnel, and 4 s without either drops the connection
        // (4 s, not 2: under the full suite's load a pong has been held back for over a second).
        await StartServerAsync(options => options.KeepAliveInterval = TimeSpan.FromMinutes(5));
        await using var relay = new TcpRelay(Server!.Port);
        var proxy = await StartProxyAsync();
        var config = Path.Combine(NewDirectory().Path, "config.json");
        File.WriteAllText(
            config,
            $$$"""{"Uplink": {"Proxy": "{{{proxy.Url()}}}", "KeepAliveSeconds": 1, "KeepAliveTimeoutSeconds": 4}}"""
        );
        var workspace = NewPopulatedWorkspace();

        var agent = StartAgentVia(relay.WebSocketUri, [workspace.Path], "--config", config);
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));

        // Ten pings (14 bytes each on the wire) and their pongs (10): more than two keepalive timeouts of quiet.
        await relay.WaitForKeepAlivesAsync(10);
        Assert.Equal(1, relay.Accepted);
        Assert.Contains($"CONNECT 127.0.0.1:{relay.Port}", proxy.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("Connection lost", agent.Output, StringComparison.Ordinal);
    }

    [TinyproxyFact]
    public async Task CommandLineProxy_TunnelsThroughIt()
    {
        await StartServerAsync();
        var proxy = await StartProxyAsync();
        var workspace = NewPopulatedWorkspace();

        StartAgent([workspace.Path], "--proxy", proxy.Url());

        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));
        Assert.Contains(ConnectLine, proxy.Log, StringComparison.Ordinal);
    }

    [TinyproxyTheory]
    [InlineData("HTTP_PROXY")]
    [InlineData("http_proxy")]
    [InlineData("ALL_PROXY")]
    public async Task EnvironmentProxy_ForWs_TunnelsThroughIt(string variable)
    {
        await StartServerAsync();
        var proxy = await StartProxyAsync();
        var workspace = NewPopulatedWorkspace();

        var agent = StartAgentProcess(
            Server!.WebSocketUri,
            [workspace.Path],
            asUnprivilegedUser: false,
            new Dictionary<string, string?> { [variable] = proxy.Url() }
        );

        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));
        Assert.Contains(ConnectLine, proxy.Log, StringComparison.Ordinal);
        Assert.Contains($"(from {variable})", agent.Output, StringComparison.Ordinal);
    }

    [TinyproxyFact]
    public async Task NoProxyStar_BypassesTheProxy()
    {
        await StartServerAsync();
        var proxy = await StartProxyAsync();
        var workspace = NewPopulatedWorkspace();

        var agent = StartAgentProcess(
            Server!.WebSocketUri,
            [workspace.Path],
            asUnprivilegedUser: false,
            new Dictionary<string, string?> { ["HTTP_PROXY"] = proxy.Url(), ["NO_PROXY"] = "*" }
        );

        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));
        Assert.DoesNotContain(ConnectLine, proxy.Log, StringComparison.Ordinal);
        Assert.Contains("NO_PROXY excludes it", agent.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigFile_UnknownUplinkKey_OneWarningNamingIt()
    {
        await StartServerAsync();
        var config = Path.Combine(NewDirectory().Path, "config.json");
        File.WriteAllText(
            config,
            """{"Uplink": {"Proxyy": "http://127.0.0.1:1", "KeepAliveSeconds": 5}, "Control": {"AllowedRootz": []}}"""
        );
        var workspace = NewPopulatedWorkspace();

        var agent = StartAgent([workspace.Path], "--config", config);

        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));
        var warnings = agent
            .Lines.Where(l => l.Contains("config: unknown key", StringComparison.Ordinal))
            .ToList();
        Assert.Equal(2, warnings.Count);
        Assert.Contains(
            warnings,
            l => l.Contains("config: unknown key Uplink:Proxyy (ignored)", StringComparison.Ordinal)
        );
        Assert.Contains(
            warnings,
            l =>
                l.Contains(
                    "config: unknown key Control:AllowedRootz (ignored)",
                    StringComparison.Ordinal
                )
        );
    }
}
