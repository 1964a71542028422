using System.Security.Cryptography;
using FileSync.Edge.Tests.Infrastructure;
using FileSync.Edge.Tests.Local;

namespace FileSync.Edge.Tests.Uplink;

/// <summary>
/// The keepalive on slow and frozen links, for real: an agent process, the reference server in-process,
/// and a TCP relay between them that forwards at a limited rate or not at all.
/// </summary>
[Trait("Category", "Integration")]
public sealed class SlowLinkTests(ITestOutputHelper output) : LocalTestBase(output)
{
    private readonly List<TcpRelay> _relays = [];

    public override async Task DisposeAsync()
    {
        foreach (var relay in _relays)
        {
            await relay.DisposeAsync();
        }
        await base.DisposeAsync();
    }

    private TcpRelay StartRelay(int bytesPerSecond = 0)
    {
        var relay = new TcpRelay(Server!.Port, bytesPerSecond);
        _relays.Add(relay);
        return relay;
    }

    /// <summary>Text that compresses little: base64 of random bytes.</summary>
    private static string IncompressibleText(int bytes) =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(bytes * 3 / 4));

    [Fact]
    public async Task LargeFile_SlowerThanKeepAliveTimesRate_ArrivesOverOneConnection()
    {
        // 800 KB through 64 KB/s is ~9 s on the wire (a little less after compression): far more than the
        // 4 s keepalive timeout × rate (256 KB) on either side. Before, the agent's own upload held its
        // pong back and the keepalive cut the connection, then sent the file from zero again, forever.
        // The timeout leaves room for a loaded machine: the relay and the server run in the test process,
        // and under the full suite's load they have paused for over a second between two reads.
        await StartServerAsync(options =>
        {
            options.KeepAliveInterval = TimeSpan.FromSeconds(1);
            options.KeepAliveTimeout = TimeSpan.FromSeconds(4);
        });
        var relay = StartRelay(bytesPerSecond: 64 * 1024);
        File.WriteAllText(
            ConfigFile,
            """
            {"Uplink": {"KeepAliveSeconds": 1, "KeepAliveTimeoutSeconds": 4},
             "Sync": {"MaxFileBytes": 1000000}}
            """
        );
        var workspace = NewWorkspace();
        workspace.Write("large.txt", IncompressibleText(800 * 1024));
        workspace.Write("small.txt", "small");

        var agent = await StartLocalAgentAsync([workspace.Path], relay.WebSocketUri);

        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace), deadline: Wait.Long);
        Assert.Equal(1, relay.Accepted);
        Assert.DoesNotContain("Connection lost", agent.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Idle_TheAgentsOwnPingsAreAnswered_OneConnectionThroughout()
    {
        // The server does not ping first within the test: only the agent's pings (after 1 s of quiet) and
        // the server's pongs move, and a connection on which nothing moved for 4 s would be dropped (4 s, not
        // 2: under the full suite's load a pong has been held back for over a second).
        await StartServerAsync(options => options.KeepAliveInterval = TimeSpan.FromMinutes(5));
        var relay = StartRelay();
        File.WriteAllText(
            ConfigFile,
            """{"Uplink": {"KeepAliveSeconds": 1, "KeepAliveTimeoutSeconds": 4}}"""
        );
        var workspace = NewWorkspace();
        workspace.Write("a.txt", "a");
        var agent = await StartLocalAgentAsync([workspace.Path], relay.WebSocketUri);
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));

        // Ten pings (a masked ping of 8 bytes is 14 on the wire) and their pongs (10): about ten seconds
        // of an idle connection, more than twice the keepalive timeout.
        await relay.WaitForKeepAlivesAsync(10);
        Assert.Equal(1, relay.Accepted);
        Assert.DoesNotContain("Connection lost", agent.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FrozenPeer_NothingMoves_DetectedAndNamedInStatus()
    {
        await StartServerAsync();
        var relay = StartRelay();
        File.WriteAllText(
            ConfigFile,
            """{"Uplink": {"KeepAliveSeconds": 1, "KeepAliveTimeoutSeconds": 2}}"""
        );
        var workspace = NewWorkspace();
        workspace.Write("a.txt", "a");
        var agent = await StartLocalAgentAsync([workspace.Path], relay.WebSocketUri);
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));

        relay.Stall();
        await agent.WaitForLineAsync("no answer to keepalive ping within 2 s", Wait.Generous);
        string? lastError = null;
        await Wait.UntilAsync(
            async () =>
            {
                var (_, status) = await StatusJsonAsync();
                lastError = status.GetProperty("connection").TryGetProperty("lastError", out var e)
                    ? e.GetString()
                    : null;
                return lastError?.Contains("no answer to keepalive ping", StringComparison.Ordinal)
                    == true;
            },
            Wait.Generous,
            () => $"status to name the keepalive (last error: {lastError})"
        );

        relay.Resume();
        workspace.Write("b.txt", "after the thaw");
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));
    }

    [Fact]
    public async Task InitialSyncDone_SlowLink_LoggedOnlyOnceTheServerHasTheFiles()
    {
        // The agent hands the whole upload to its socket in an instant; the server gets it seconds later.
        // "Initial sync done" waits for the server's acknowledgement of file_done (capability done-ack).
        await StartServerAsync();
        var relay = StartRelay(bytesPerSecond: 128 * 1024);
        File.WriteAllText(ConfigFile, """{"Sync": {"MaxFileBytes": 1000000}}""");
        var workspace = NewWorkspace();
        workspace.Write("large.txt", IncompressibleText(300 * 1024));
        workspace.Write("small.txt", "small");

        var agent = await StartLocalAgentAsync([workspace.Path], relay.WebSocketUri);
        await agent.WaitForLineAsync("initial sync done", Wait.Generous);

        var mirrored = (await Server!.GetStatusAsync()).Workspaces.Single();
        Assert.True(mirrored.Done, "the server applied file_done before the agent said done");
        Assert.Equal(2, mirrored.Files);
        var (_, status) = await StatusJsonAsync();
        var view = WorkspaceOf(status, Path.GetFileName(workspace.Path));
        Assert.Equal("watching", view.GetProperty("state").GetString());
        Assert.Equal(0, view.GetProperty("inFlightFiles").GetInt32());
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));
    }
}
