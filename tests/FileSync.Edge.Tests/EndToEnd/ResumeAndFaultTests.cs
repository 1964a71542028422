using System.Text.RegularExpressions;
using FileSync.Edge.Tests.Infrastructure;

namespace FileSync.Edge.Tests.EndToEnd;

/// <summary>
/// Disconnects, stalls, kills and restarts, injected for real (a TCP proxy in front of the server, a
/// real server process, agent restarts): afterwards the mirror converges and only what changed is re-sent.
/// </summary>
[Trait("Category", "Integration")]
public sealed partial class ResumeAndFaultTests(ITestOutputHelper output) : EndToEndTestBase(output)
{
    private static TempDirectory Populate(TempDirectory workspace, int files, int bytesEach = 200)
    {
        var filler = new string('x', bytesEach);
        for (var i = 0; i < files; i++)
        {
            workspace.Write($"d{i % 50}/f{i:D4}.txt", $"{i}:{filler}");
        }
        return workspace;
    }

    private async Task<TcpRelay> StartProxyAsync()
    {
        var proxy = new TcpRelay(Server!.Port);
        _proxies.Add(proxy);
        await Task.CompletedTask;
        return proxy;
    }

    private readonly List<TcpRelay> _proxies = [];

    public override async Task DisposeAsync()
    {
        foreach (var proxy in _proxies)
        {
            await proxy.DisposeAsync();
        }
        foreach (var process in _serverProcesses)
        {
            process.Signal(Libc.SigCont); // a frozen server must be able to die
            await process.DisposeAsync();
        }
        await base.DisposeAsync();
    }

    private Task WaitForNoEdgeAsync() =>
        Wait.UntilAsync(
            async () => (await Server!.GetStatusAsync()).Edges.Count == 0,
            Wait.Generous,
            () => "the edge to be disconnected"
        );

    [Fact]
    public async Task Reconnect_OneOfTwoThousandFilesChanged_ExactlyOneBodyResent()
    {
        var workspace = Populate(NewWorkspace(), 2000);
        await StartServerAsync();
        var proxy = await StartProxyAsync();
        StartAgentVia(proxy.WebSocketUri, [workspace.Path]);
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));
        var before = await ReceivedAsync();
        Assert.Equal(2000, before.Bodies);

        proxy.Refusing = true;
        proxy.CutAll();
        await WaitForNoEdgeAsync();
        workspace.Write("d7/f0007.txt", "changed while disconnected");
        proxy.Refusing = false;

        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));
        var after = await ReceivedAsync();
        Assert.Equal(1, after.Bodies - before.Bodies);
        Assert.Equal("changed while disconnected".Length, after.ContentBytes - before.ContentBytes);
        Assert.True(
            after.Manifests > before.Manifests,
            "the reconnect went through a manifest exchange"
        );
    }

    [Fact]
    public async Task AgentRestart_OneOfTwoThousandFilesChanged_OneBodyResentOneFileRead()
    {
        var workspace = Populate(NewWorkspace(), 2000);
        await StartServerAsync();
        var agent = StartAgent(workspace);
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));
        agent.Terminate();
        Assert.Equal(0, await agent.WaitForExitAsync());
        await WaitForNoEdgeAsync();
        var before = await ReceivedAsync();

        workspace.Write("d3/f0003.txt", "changed while the agent was stopped");
        StartAgent(workspace);

        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));
        await Wait.UntilAsync(
            async () => (await Server!.GetStatusAsync()).Workspaces.Single().Done,
            Wait.Generous,
            () => "file_done after the restart"
        );
        var after = await ReceivedAsync();
        Assert.Equal(1, after.Bodies - before.Bodies);
        var status = await GetAgentStatusAsync(await WaitForEdgeIdAsync());
        Assert.Equal(1, status.GetProperty("workspaces")[0].GetProperty("filesRead").GetInt64());
    }

    [Fact]
    public async Task AgentRestart_SavedIndexCorrupt_WarnsRebuildsAndSyncs()
    {
        var workspace = Populate(NewWorkspace(), 20);
        await StartServerAsync();
        var agent = StartAgent(workspace);
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));
        agent.Terminate();
        Assert.Equal(0, await agent.WaitForExitAsync());
        var saved = Assert.Single(Directory.GetFiles(StateDirectory, "index-*.msgpack"));
        var bytes = File.ReadAllBytes(saved);
        File.WriteAllBytes(saved, bytes[..(bytes.Length / 2)]);
        workspace.Write("new.txt", "after corruption");

        var restarted = StartAgent(workspace);

        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));
        await restarted.WaitForLineAsync("ignored the saved index");
    }

    [Fact]
    public async Task AgentRestart_SavedIndexInTheJsonFormatOfAnEarlierVersion_WarnsRebuildsAndReplacesIt()
    {
        var workspace = Populate(NewWorkspace(), 20);
        await StartServerAsync();
        var agent = StartAgent(workspace);
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));
        agent.Terminate();
        Assert.Equal(0, await agent.WaitForExitAsync());
        var saved = Assert.Single(Directory.GetFiles(StateDirectory, "index-*.msgpack"));
        var legacy = Path.ChangeExtension(saved, ".json");
        File.Move(saved, legacy);
        File.WriteAllText(legacy, """{"version":2,"root":"elsewhere","entries":[]}""");
        workspace.Write("new.txt", "after the upgrade");

        var restarted = StartAgent(workspace);

        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));
        await restarted.WaitForLineAsync("JSON format of an earlier version");
        restarted.Terminate();
        Assert.Equal(0, await restarted.WaitForExitAsync());
        Assert.False(File.Exists(legacy));
        Assert.True(File.Exists(saved));
    }

    [Fact]
    public async Task ServerProcessKilledDuringInitialSync_RestartedWithMirror_Converges()
    {
        var workspace = Populate(NewWorkspace(), 1500, bytesEach: 20_000);
        var server = await StartServerProcessAsync(port: 0);
        var port = server.Port;
        var agent = StartAgentVia(new Uri($"ws://127.0.0.1:{port}/ws/v1/edge"), [workspace.Path]);
        await Wait.UntilAsync(
            () =>
                Directory.Exists(MirrorOf(workspace))
                && Directory
                    .EnumerateFiles(MirrorOf(workspace), "*", SearchOption.AllDirectories)
                    .Take(50)
                    .Count() == 50,
            Wait.Generous,
            () => "the initial sync to be under way"
        );

        await server.Process.DisposeAsync(); // SIGKILL mid-sync
        workspace.Write("d1/f0001.txt", "changed while the server was dead");
        await StartServerProcessAsync(port);

        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace), deadline: Wait.Long);
        Assert.False(agent.HasExited);
    }

    [Fact]
    public async Task ConnectionCutMidBatch_Converges()
    {
        var workspace = Populate(NewWorkspace(), 10);
        await StartServerAsync();
        var proxy = await StartProxyAsync();
        StartAgentVia(proxy.WebSocketUri, [workspace.Path]);
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));
        var before = await ReceivedAsync();

        for (var i = 0; i < 800; i++)
        {
            workspace.Write($"burst/f{i:D3}.txt", new string('y', 5_000) + i);
        }
        await Wait.UntilAsync(
            async () => (await ReceivedAsync()).Bodies > before.Bodies,
            Wait.Generous,
            () => "the burst to start arriving"
        );
        proxy.CutAll();
        File.Delete(Path.Combine(workspace.Path, "d1/f0001.txt"));

        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));
    }

    [Fact]
    public async Task ConnectionStalled_KeepaliveDetectsItAndAgentReconnects()
    {
        var workspace = Populate(NewWorkspace(), 5);
        var config = Path.Combine(NewDirectory().Path, "config.json");
        File.WriteAllText(
            config,
            """{"Uplink": {"KeepAliveSeconds": 2, "KeepAliveTimeoutSeconds": 2}}"""
        );
        await StartServerAsync();
        var proxy = await StartProxyAsync();
        var agent = StartAgentVia(proxy.WebSocketUri, [workspace.Path], "--config", config);
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));

        proxy.Stall();
        workspace.Write("during-stall.txt", "must arrive after the reconnect");
        await agent.WaitForLineAsync("Connection lost", Wait.Generous);
        proxy.Resume();

        // The stalled write may still reach the server over the old connection once the proxy
        // forwards again; what counts is that the agent reconnected and the mirror converges.
        await Wait.UntilAsync(
            () => proxy.Accepted >= 2,
            Wait.Generous,
            () => "the agent's second connection"
        );
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));
    }

    [UnixFact("freezes the server with SIGSTOP, a POSIX signal")]
    public async Task ServerProcessFrozen_DefaultKeepaliveDropsTheConnection()
    {
        var workspace = Populate(NewWorkspace(), 5);
        var server = await StartServerProcessAsync(port: 0);
        var agent = StartAgentVia(
            new Uri($"ws://127.0.0.1:{server.Port}/ws/v1/edge"),
            [workspace.Path]
        );
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));

        server.Process.Signal(Libc.SigStop); // the TCP connection stays up, nobody answers
        await agent.WaitForLineAsync("Connection lost", Wait.Long);
        server.Process.Signal(Libc.SigCont);
        workspace.Write("after-thaw.txt", "synced after the reconnect");

        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));
    }

    private sealed record ServerProcess(ChildProcess Process, int Port);

    private async Task<ServerProcess> StartServerProcessAsync(int port)
    {
        var process = ChildProcess.StartBuilt(
            "filesync-server",
            [
                "--port",
                port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--mirror",
                MirrorRoot,
            ],
            Output
        );
        _serverProcesses.Add(process);
        var line = (await process.WaitForLineAsync("listening on")).Text;
        return new ServerProcess(
            process,
            int.Parse(
                ListeningPort().Match(line).Groups[1].Value,
                System.Globalization.CultureInfo.InvariantCulture
            )
        );
    }

    private readonly List<ChildProcess> _serverProcesses = [];

    [GeneratedRegex(@":(\d+)")]
    private static partial Regex ListeningPort();
}
