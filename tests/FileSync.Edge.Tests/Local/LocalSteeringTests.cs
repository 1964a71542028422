using System.Text;
using System.Text.Json;
using FileSync.Edge.Tests.Infrastructure;

namespace FileSync.Edge.Tests.Local;

/// <summary>pause, resume, resync, logs and stop against a real agent and server.</summary>
[Trait("Category", "Integration")]
public sealed class LocalSteeringTests(ITestOutputHelper output) : LocalTestBase(output)
{
    [Fact]
    public async Task PauseThenResume_KeepsChangesWhilePausedAndSendsThemOnResume()
    {
        await StartServerAsync();
        var workspace = NewWorkspace();
        var name = Path.GetFileName(workspace.Path);
        workspace.Write("a.txt", "version 1\n");
        workspace.Write("gone.txt", "to be deleted\n");
        await StartLocalAgentAsync([workspace.Path]);
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));
        var edgeId = await WaitForEdgeIdAsync();

        var pause = await CliAsync("pause");
        Assert.Equal(0, pause.ExitCode);
        Assert.Equal($"paused {workspace.Path}", pause.Stdout.Trim());
        var before = await ReceivedAsync();

        // The server sees it too.
        var edgeStatus = await GetAgentStatusAsync(edgeId);
        Assert.Equal(
            "paused",
            edgeStatus.GetProperty("workspaces")[0].GetProperty("state").GetString()
        );

        workspace.Write("a.txt", "version 2, longer\n");
        workspace.Write("new/b.txt", "created while paused\n");
        File.Delete(Path.Combine(workspace.Path, "gone.txt"));
        JsonElement status = default;
        var exitCode = -1;
        await Wait.UntilAsync(
            async () =>
            {
                (exitCode, status) = await StatusJsonAsync();
                return WorkspaceOf(status, name).GetProperty("pending").GetInt32() >= 3;
            },
            Wait.Generous,
            () => $"the three changes to be pending: {status}"
        );
        var paused = WorkspaceOf(status, name);
        Assert.Equal("paused", paused.GetProperty("state").GetString());
        Assert.True(paused.GetProperty("paused").GetBoolean());
        Assert.Equal(1, exitCode);
        Assert.Contains(
            status.GetProperty("attention").EnumerateArray(),
            a => a.GetString() == $"{name}: paused"
        );
        // Nothing went out: the mirror still has the old state and the server received nothing new.
        Assert.Equal("version 1\n", File.ReadAllText(Path.Combine(MirrorOf(workspace), "a.txt")));
        Assert.True(File.Exists(Path.Combine(MirrorOf(workspace), "gone.txt")));
        Assert.False(File.Exists(Path.Combine(MirrorOf(workspace), "new", "b.txt")));
        Assert.Equal(before, await ReceivedAsync());

        var resume = await CliAsync("resume", name);
        Assert.Equal(0, resume.ExitCode);
        Assert.Equal($"resumed {workspace.Path}", resume.Stdout.Trim());
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));
        Assert.Equal(
            Encoding.UTF8.GetBytes("version 2, longer\n"),
            File.ReadAllBytes(Path.Combine(MirrorOf(workspace), "a.txt"))
        );
        await Wait.UntilAsync(
            async () => (await StatusJsonAsync()).ExitCode == 0,
            Wait.Generous,
            () => "status to be clean again after resume"
        );
    }

    [Fact]
    public async Task Pause_UnknownWorkspace_ExitsTwoWithOneLine()
    {
        await StartServerAsync();
        var workspace = NewWorkspace();
        workspace.Write("a.txt", "a");
        await StartLocalAgentAsync([workspace.Path]);

        var outcome = await CliAsync("pause", "no-such-workspace");
        Assert.Equal(2, outcome.ExitCode);
        var line = Assert.Single(outcome.StderrLines);
        Assert.StartsWith(
            "filesync-edge: error: 'no-such-workspace' is not a workspace of this agent",
            line
        );
        Assert.Contains(workspace.Path, line);

        // A relative path resolves against the caller's directory, not the agent's.
        var relative = await CliAsync("resume", "./also-not-there");
        Assert.Equal(2, relative.ExitCode);
    }

    [Fact]
    public async Task Resync_RunsTheManifestExchangeAgain()
    {
        await StartServerAsync();
        var workspace = NewWorkspace();
        workspace.Write("a.txt", "a");
        await StartLocalAgentAsync([workspace.Path]);
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));
        var (_, _, manifests) = await ReceivedAsync();

        var outcome = await CliAsync("resync", workspace.Path);
        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal($"resyncing {workspace.Path}", outcome.Stdout.Trim());
        await Wait.UntilAsync(
            async () => (await ReceivedAsync()).Manifests > manifests,
            Wait.Generous,
            () => "a new manifest after resync"
        );
    }

    [Fact]
    public async Task Logs_PrintsRecentLinesAndFollowsNewOnes()
    {
        await StartServerAsync();
        var workspace = NewWorkspace();
        workspace.Write("a.txt", "a");
        await StartLocalAgentAsync([workspace.Path]);

        var logs = await CliAsync("logs");
        Assert.Equal(0, logs.ExitCode);
        Assert.Contains(
            $"info  WorkspaceRegistry: Syncing workspace {workspace.Path}",
            logs.Stdout
        );
        var last = await CliAsync("logs", "-n", "1");
        Assert.Single(last.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        await using var follower = ChildProcess.StartBuilt(
            "filesync-edge",
            ["logs", "-f", "--config", ConfigFile],
            Output,
            CliEnvironment()
        );
        await follower.WaitForLineAsync($"Syncing workspace {workspace.Path}");
        Assert.Equal(0, (await CliAsync("pause")).ExitCode);
        await follower.WaitForLineAsync($"Workspace {workspace.Path}: paused");
        Assert.False(follower.HasExited);
    }

    [Fact]
    public async Task Stop_EndsTheAgentCleanlyAndRemovesItsSocket()
    {
        await StartServerAsync();
        var workspace = NewWorkspace();
        workspace.Write("a.txt", "a");
        var agent = await StartLocalAgentAsync([workspace.Path]);
        Assert.True(File.Exists(Address.Path));

        var outcome = await CliAsync("stop");
        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal("the agent stopped", outcome.Stdout.Trim());
        Assert.Equal(0, await agent.WaitForExitAsync());
        Assert.False(File.Exists(Address.Path));
        Assert.Equal(5, (await CliAsync("status")).ExitCode);
    }
}
