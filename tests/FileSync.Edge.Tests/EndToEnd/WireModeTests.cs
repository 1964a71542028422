using FileSync.Edge.Tests.Infrastructure;
using FileSync.Protocol;

namespace FileSync.Edge.Tests.EndToEnd;

/// <summary>
/// The real agent against the reference server in every wire mode: JSON or MessagePack frames, with and
/// without permessage-deflate (refused by either side), with the digest-first or the flat manifest
/// resume. Each must leave the same mirror after the initial sync and after a restart with changes, and
/// a restart must send only what changed.
/// </summary>
[Trait("Category", "Integration")]
public sealed class WireModeTests(ITestOutputHelper output) : EndToEndTestBase(output)
{
    public static TheoryData<bool, bool, bool, bool> Modes() =>
        new()
        {
            // msgpack, manifest-tree, server accepts deflate, agent offers deflate
            { true, true, true, true },
            { true, true, true, false },
            { true, false, true, true },
            { true, true, false, true },
            { false, true, true, true },
            { false, false, false, false },
        };

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Sync_EveryWireMode_MirrorEqualAfterInitialSyncAndAfterARestartSendingOnlyChanges(
        bool messagePack,
        bool tree,
        bool serverCompression,
        bool agentCompression
    )
    {
        await StartServerAsync(options =>
        {
            options.MessagePack = messagePack;
            options.ManifestTree = tree;
            options.Compression = serverCompression;
        });
        var workspace = NewWorkspace();
        Write(workspace, "README.md", "# project\n");
        Write(workspace, "src/deep/er/code.cs", "class A {}\n");
        Write(workspace, "src/ä ö/ünïcode name.txt", "grüße\n");
        Write(workspace, "src/data.bin", [0xff, 0xfe, 0x80, 0x81, 0x0a, 0xc3]);
        Write(workspace, "src/empty.txt", []);
        Write(workspace, "old/gone.txt", "bye\n");
        Write(workspace, "same-size.txt", "version 1\n");
        var config = Path.Combine(NewDirectory().Path, "config.json");
        await File.WriteAllTextAsync(
            config,
            "{\"Uplink\": {\"Compression\": " + (agentCompression ? "true" : "false") + "}}"
        );

        var agent = StartAgent(workspace, "--config", config);
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));

        var edge = (await Server!.GetStatusAsync()).Edges.Single();
        Assert.Equal(messagePack ? "msgpack" : "json", edge.Wire);
        Assert.Equal(serverCompression && agentCompression, edge.Compressed);
        Assert.Equal(tree, edge.Capabilities.Contains(Capabilities.ManifestTree));
        Assert.Equal(messagePack, edge.Capabilities.Contains(Capabilities.MessagePack));

        agent.Terminate();
        Assert.Equal(0, await agent.WaitForExitAsync());
        var (bodiesBefore, _, _) = await ReceivedAsync();
        Write(workspace, "same-size.txt", "version 2\n");
        Write(workspace, "src/new dir/added.txt", "new\n");
        File.Delete(Path.Combine(workspace.Path, "src/deep/er/code.cs"));
        Directory.Delete(Path.Combine(workspace.Path, "old"), recursive: true);

        agent = StartAgent(workspace, "--config", config);
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));
        await Wait.UntilAsync(
            async () => (await Server.GetStatusAsync()).Workspaces.Single().Done,
            Wait.Generous,
            () => "file_done after the restart"
        );
        var (bodiesAfter, _, _) = await ReceivedAsync();
        Assert.Equal(2, bodiesAfter - bodiesBefore);
        agent.Terminate();
        Assert.Equal(0, await agent.WaitForExitAsync());
    }

    private static void Write(TempDirectory workspace, string relative, string text) =>
        Write(workspace, relative, System.Text.Encoding.UTF8.GetBytes(text));

    private static void Write(TempDirectory workspace, string relative, byte[] content)
    {
        var path = Path.Combine(workspace.Path, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
    }
}
