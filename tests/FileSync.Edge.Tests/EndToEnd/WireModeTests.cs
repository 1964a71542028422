using FileSync.Edge.Tests.Infrastructure;
using FileSync.Protocol;

namespace FileSync.Edge.Tests.EndToEnd;

/// <summary>
/// The real agent against the reference server in every wire mode: JSON or MessagePack frames, with and
/// without permessage-deflate (refused by either side), with the digest-first or the flat manifest
/// resume, with XxHash128 or SHA-256 content hashes (refused by either side). Each must leave the same mirror after the initial sync and after a restart with changes, and
/// a restart must send only what changed.
/// </summary>
[Trait("Category", "Integration")]
public sealed class WireModeTests(ITestOutputHelper output) : EndToEndTestBase(output)
{
    public static TheoryData<bool, bool, bool, bool, bool, bool> Modes() =>
        new()
        {
            // msgpack, manifest-tree, server accepts deflate, agent offers deflate, server xxh128, agent xxh128
            { true, true, true, true, true, true },
            { true, true, true, true, false, true },
            { true, true, true, true, true, false },
            { true, true, true, false, true, true },
            { true, false, true, true, true, true },
            { true, false, true, true, false, true },
            { true, true, false, true, true, true },
            { false, true, true, true, true, true },
            { false, false, true, true, true, true },
            { false, false, false, false, false, false },
        };

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Sync_EveryWireMode_MirrorEqualAfterInitialSyncAndAfterARestartSendingOnlyChanges(
        bool messagePack,
        bool tree,
        bool serverCompression,
        bool agentCompression,
        bool serverXxh128,
        bool agentXxh128
    )
    {
        await StartServerAsync(options =>
        {
            options.MessagePack = messagePack;
            options.ManifestTree = tree;
            options.Compression = serverCompression;
            options.XxHash128 = serverXxh128;
        });
        var workspace = NewWorkspace();
        Write(workspace, "README.md", "# project\n");
        Write(workspace, "src/deep/er/code.cs", "class A {}\n");
        Write(workspace, "src/ä ö/ünïcode name.txt", "grüße\n");
        Write(workspace, "src/data.bin", [0xff, 0xfe, 0x80, 0x81, 0x0a, 0xc3]);
        Write(workspace, "src/empty.txt", []);
        Write(workspace, "old/gone.txt", "bye\n");
        Write(workspace, "same-size.txt", "version 1\n");
        var config = await WriteConfigAsync(agentCompression, agentXxh128);

        var agent = StartAgent(workspace, "--config", config);
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));

        var edge = (await Server!.GetStatusAsync()).Edges.Single();
        Assert.Equal(messagePack ? "msgpack" : "json", edge.Wire);
        Assert.Equal(serverCompression && agentCompression, edge.Compressed);
        Assert.Equal(tree, edge.Capabilities.Contains(Capabilities.ManifestTree));
        Assert.Equal(messagePack, edge.Capabilities.Contains(Capabilities.MessagePack));
        Assert.Equal(
            serverXxh128 && agentXxh128,
            edge.Capabilities.Contains(Capabilities.XxHash128)
        );

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

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public async Task Restart_AgainstAServerOfTheOtherHash_ConvergesResendingOnlyTheChange(
        bool xxh128First,
        bool tree
    )
    {
        await StartServerAsync(options =>
        {
            options.XxHash128 = xxh128First;
            options.ManifestTree = tree;
        });
        var workspace = NewWorkspace();
        Write(workspace, "a.txt", "alpha\n");
        Write(workspace, "dir/b.txt", "beta\n");
        Write(workspace, "dir/sub/c.dat", [0xff, 0xfe, 0x80, 0x0a]);
        Write(workspace, "changed.txt", "version 1\n");
        var config = await WriteConfigAsync(compression: true, fastHash: true);
        var agent = StartAgent(workspace, "--config", config);
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));
        Assert.Equal(
            xxh128First,
            (await Server!.GetStatusAsync())
                .Edges.Single()
                .Capabilities.Contains(Capabilities.XxHash128)
        );
        agent.Terminate();
        Assert.Equal(0, await agent.WaitForExitAsync());

        // The same mirror, now behind a server of the other hash; the agent's saved index is of the first.
        await RestartServerAsync(configure: options =>
        {
            options.XxHash128 = !xxh128First;
            options.ManifestTree = tree;
        });
        Write(workspace, "changed.txt", "version 2\n");
        agent = StartAgent(workspace, "--config", config);
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));
        await Wait.UntilAsync(
            async () => (await Server!.GetStatusAsync()).Workspaces.Single().Done,
            Wait.Generous,
            () => "file_done after the restart"
        );

        Assert.Equal(
            !xxh128First,
            (await Server!.GetStatusAsync())
                .Edges.Single()
                .Capabilities.Contains(Capabilities.XxHash128)
        );
        // Every file was read and hashed again on both sides, but only the changed one was sent.
        var (bodies, _, _) = await ReceivedAsync();
        Assert.Equal(1, bodies);
        agent.Terminate();
        Assert.Equal(0, await agent.WaitForExitAsync());
    }

    private async Task<string> WriteConfigAsync(bool compression, bool fastHash)
    {
        var config = Path.Combine(NewDirectory().Path, "config.json");
        await File.WriteAllTextAsync(
            config,
            "{\"Uplink\": {\"Compression\": "
                + (compression ? "true" : "false")
                + ", \"FastHash\": "
                + (fastHash ? "true" : "false")
                + "}}"
        );
        return config;
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
