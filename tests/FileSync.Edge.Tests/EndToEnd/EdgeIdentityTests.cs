using FileSync.Edge.Tests.Infrastructure;
using FileSync.Edge.Uplink;
using FileSync.Server;
using FileSync.Server.Edges;

namespace FileSync.Edge.Tests.EndToEnd;

/// <summary>
/// Which edge the reference server sees: by default one per OS user and config file, kept across
/// restarts; <c>--name</c> or <c>Uplink:Fingerprint</c> chooses it.
/// </summary>
[Trait("Category", "Integration")]
public sealed class EdgeIdentityTests(ITestOutputHelper output) : EndToEndTestBase(output)
{
    [Fact]
    public async Task TwoAgentsWithTwoConfigFiles_TwoEdgeIdsAndBothStayConnected()
    {
        var first = NewWorkspace();
        first.Write("one.txt", "1");
        var second = NewWorkspace();
        second.Write("two.txt", "2");
        await StartServerAsync();

        StartAgent(first, "--config", NewConfigFile("""{ "Sync": { "MaxFiles": 100 } }"""));
        StartAgent(second, "--config", NewConfigFile("""{ "Sync": { "MaxFiles": 200 } }"""));

        var edges = await WaitForEdgesAsync(2);
        Assert.NotEqual(edges[0].EdgeId, edges[1].EdgeId);
        await MirrorAssert.MirrorsAsync(first.Path, MirrorOf(first));
        await MirrorAssert.MirrorsAsync(second.Path, MirrorOf(second));

        // Both keep syncing over the connections they have: nobody was knocked off and came back.
        first.Write("one-more.txt", "1+");
        second.Write("two-more.txt", "2+");
        await MirrorAssert.MirrorsAsync(first.Path, MirrorOf(first));
        await MirrorAssert.MirrorsAsync(second.Path, MirrorOf(second));
        var after = (await Server!.GetStatusAsync()).Edges;
        Assert.Equal(
            edges.Select(e => (e.EdgeId, e.ConnectedAt)).Order(),
            after.Select(e => (e.EdgeId, e.ConnectedAt)).Order()
        );
        Assert.DoesNotContain(Server.Logs.Entries, e => e.EventId.Name == "EdgeReplaced");
    }

    [Fact]
    public async Task SameConfigFileAfterARestart_SameEdgeId()
    {
        var workspace = NewWorkspace();
        workspace.Write("a.txt", "a");
        await StartServerAsync();
        var config = NewConfigFile("{}");
        var agent = StartAgent(workspace, "--config", config);
        var before = await WaitForEdgeIdAsync();
        agent.Terminate();
        Assert.Equal(0, await agent.WaitForExitAsync(Wait.Generous));
        await Wait.UntilAsync(
            async () => (await Server!.GetStatusAsync()).Edges.Count == 0,
            Wait.Generous,
            () => "the first agent's edge to disconnect"
        );

        StartAgent(workspace, "--config", config);

        Assert.Equal(before, await WaitForEdgeIdAsync());
    }

    [Fact]
    public async Task NameOptionAndFingerprintKey_ChooseTheIdentity_TheOptionWins()
    {
        var fromFile = NewWorkspace();
        fromFile.Write("a.txt", "a");
        var fromOption = NewWorkspace();
        fromOption.Write("b.txt", "b");
        await StartServerAsync();
        const string Content = """{ "Uplink": { "Fingerprint": "from-the-config-file" } }""";

        // Two files with the same content: one config file has one agent (its local endpoint).
        StartAgent(fromFile, "--config", NewConfigFile(Content));
        StartAgent(fromOption, "--config", NewConfigFile(Content), "--name", "Zoë's laptop");

        var edges = await WaitForEdgesAsync(2);
        Assert.Equal(
            new[]
            {
                EdgeIds.FromFingerprint(MachineFingerprint.ToWire("from-the-config-file")),
                EdgeIds.FromFingerprint(MachineFingerprint.ToWire("Zoë's laptop")),
            }.Order(),
            edges.Select(e => e.EdgeId).Order()
        );
    }

    [Theory]
    [InlineData("", "must not be empty")]
    [InlineData(" padded", "must not start or end with white space")]
    [InlineData("tab\there", "must not contain control characters")]
    [InlineData("{long}", "must be at most 128 characters long (it has 129)")]
    public async Task UnusableName_ExitCode2AndOneLine(string name, string problem)
    {
        var workspace = NewWorkspace();
        name = name.Replace("{long}", new string('n', 129), StringComparison.Ordinal);

        var outcome = await ChildProcess.RunBuiltAsync(
            "filesync-edge",
            [
                workspace.Path,
                "--server",
                "ws://127.0.0.1:9/ws/v1/edge",
                "--config",
                NoConfigFile,
                "--name",
                name,
            ],
            Wait.Generous,
            new Dictionary<string, string?> { ["FILESYNC_STATE_DIR"] = StateDirectory }
        );

        Assert.Equal(2, outcome.ExitCode);
        Assert.Equal(
            $"filesync-edge: error: --name: the identity {problem}",
            Assert.Single(outcome.StderrLines)
        );
    }

    private string NewConfigFile(string content)
    {
        var path = Path.Combine(NewDirectory().Path, "config.json");
        File.WriteAllText(path, content);
        return path;
    }

    private async Task<IReadOnlyList<EdgeConnectionStatus>> WaitForEdgesAsync(int count)
    {
        IReadOnlyList<EdgeConnectionStatus> edges = [];
        await Wait.UntilAsync(
            async () =>
            {
                edges = (await Server!.GetStatusAsync()).Edges;
                return edges.Count == count;
            },
            Wait.Generous,
            () => $"{count} edges connected; now: {string.Join(", ", edges.Select(e => e.EdgeId))}"
        );
        return edges;
    }
}
