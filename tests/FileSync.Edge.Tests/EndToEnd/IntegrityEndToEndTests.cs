using System.Text;
using System.Text.Json;
using FileSync.Edge.Tests.Infrastructure;
using FileSync.Protocol;

namespace FileSync.Edge.Tests.EndToEnd;

/// <summary>
/// A real agent process against the reference server, in an unlucky or hostile world: the server's
/// disk fills up, names only some systems can store, a server asking for the user's credentials.
/// </summary>
[Trait("Category", "Integration")]
public sealed class IntegrityEndToEndTests(ITestOutputHelper output) : EndToEndTestBase(output)
{
    private static string Command(string type, string path) =>
        $$$"""{"type":"{{{type}}}","payload":{"path":{{{JsonSerializer.Serialize(path)}}}}}""";

    [MountFact]
    public async Task ServerDiskFull_FailedFilesCountedByNameRetriedAndDeliveredOnceSpaceIsBack()
    {
        using var disk = MountedFileSystem.Tmpfs("1m");
        UseMirrorRoot(disk.Path);
        var workspace = NewWorkspace();
        for (var i = 0; i < 60; i++)
        {
            workspace.Write($"d{i % 4}/f{i:D2}.txt", new string((char)('a' + i % 26), 40_000) + i);
        }
        await StartServerAsync();
        var agent = StartAgent(workspace);
        var edgeId = await WaitForEdgeIdAsync();

        JsonElement failing = default;
        await Wait.UntilAsync(
            async () =>
            {
                var status = await GetAgentStatusAsync(edgeId);
                failing = status.GetProperty("workspaces")[0];
                return failing.GetProperty("errors").GetInt32() > 0;
            },
            Wait.Generous,
            () => "errors counted in edge:status while the server's disk is full"
        );
        var named = failing
            .GetProperty("errorFiles")
            .EnumerateArray()
            .Select(e => e.GetProperty("path").GetString()!)
            .ToList();
        Assert.NotEmpty(named);
        Assert.All(
            named,
            path =>
                Assert.True(
                    File.Exists(Path.Combine(workspace.Path, path)),
                    $"{path} is a workspace file"
                )
        );
        await agent.WaitForLineAsync($"could not apply {named[0]}");

        disk.Resize("20m");

        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace), deadline: Wait.Long);
        await Wait.UntilAsync(
            async () =>
                (await GetAgentStatusAsync(edgeId))
                    .GetProperty("workspaces")[0]
                    .GetProperty("errors")
                    .GetInt32() == 0,
            Wait.Generous,
            () => "no errors left once every file was applied"
        );
    }

    [UnixFact("these names cannot exist on Windows")]
    public async Task OddButValidNames_ArriveOnALinuxServer()
    {
        var workspace = NewWorkspace();
        string[] names =
        [
            "new\nline.txt",
            "tab\there.txt",
            "del\u007f.txt",
            "nel\u0085.txt",
            @"back\slash.txt",
            "c:olon.txt",
            "sub/c:olon.txt",
            " lead and trail .txt",
        ];
        foreach (var name in names)
        {
            workspace.Write(name, "odd: " + name);
        }
        await StartServerAsync();
        StartAgent(workspace);

        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));
        var status = await GetAgentStatusAsync(await WaitForEdgeIdAsync());
        Assert.Equal(0, status.GetProperty("workspaces")[0].GetProperty("errors").GetInt32());
    }

    [Fact]
    public async Task ServerAsksForCredentialStores_RefusedAndNothingUploaded()
    {
        var home = NewDirectory();
        var ssh = Path.Combine(home.Path, ".ssh");
        home.Write(".ssh/id_ed25519", "-----BEGIN OPENSSH PRIVATE KEY-----");
        home.Write(".aws/credentials", "aws_secret_access_key = x");
        home.Write("proj/a.txt", "project file");
        home.Write("other/b.txt", "another project under home");
        var elsewhere = NewDirectory();
        elsewhere.Write("c.txt", "outside the allowed roots");
        var config = Path.Combine(NewDirectory().Path, "config.json");
        // A server-chosen root remembered from an earlier run is checked again at start.
        File.WriteAllText(
            config,
            JsonSerializer.Serialize(new Dictionary<string, string[]> { ["Workspaces"] = [ssh] })
        );
        await StartServerAsync();
        var agent = StartAgentProcess(
            Server!.WebSocketUri,
            [Path.Combine(home.Path, "proj")],
            asUnprivilegedUser: false,
            new Dictionary<string, string?> { ["HOME"] = home.Path },
            "--config",
            config
        );
        await agent.WaitForLineAsync("no longer allowed");
        var edgeId = await WaitForEdgeIdAsync();

        string[] refused =
        [
            ssh,
            Path.Combine(home.Path, ".aws"),
            home.Path,
            Path.GetDirectoryName(home.Path)!,
            "/etc",
            elsewhere.Path,
        ];
        foreach (var path in refused)
        {
            await Server!.SendCommandAsync(edgeId, Command(MessageTypes.SyncStart, path));
        }
        await Server!.SendCommandAsync(
            edgeId,
            Command(MessageTypes.SyncStart, Path.Combine(home.Path, "other"))
        );

        await Wait.UntilAsync(
            async () =>
                (await Server.GetRepliesAsync(edgeId)).Count(r => r.Type == MessageTypes.SyncError)
                >= refused.Length,
            Wait.Generous,
            () => "a sync_error for each refused folder"
        );
        var errors = (await Server.GetRepliesAsync(edgeId))
            .Where(r => r.Type == MessageTypes.SyncError)
            .ToList();
        Assert.All(
            errors,
            e => Assert.Equal(ErrorCodes.ForbiddenPath, e.Payload.GetProperty("code").GetString())
        );
        await MirrorAssert.MirrorsAsync(
            Path.Combine(home.Path, "other"),
            Path.Combine(MirrorRoot, "other")
        );
        var mirrored = Directory
            .EnumerateFiles(MirrorRoot, "*", SearchOption.AllDirectories)
            .ToList();
        Assert.DoesNotContain(
            mirrored,
            f =>
                File.ReadAllText(f).Contains("PRIVATE KEY", StringComparison.Ordinal)
                || f.Contains(".aws", StringComparison.Ordinal)
        );
        Assert.False(Directory.Exists(Path.Combine(MirrorRoot, ".ssh")));
        var saved = File.ReadAllText(config, Encoding.UTF8);
        Assert.DoesNotContain(".aws", saved, StringComparison.Ordinal);
    }
}
