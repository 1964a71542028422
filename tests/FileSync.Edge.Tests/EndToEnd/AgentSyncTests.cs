using FileSync.Edge.Tests.Infrastructure;

namespace FileSync.Edge.Tests.EndToEnd;

/// <summary>The agent process against the reference server: the mirror must equal the filtered workspace.</summary>
[Trait("Category", "Integration")]
public sealed class AgentSyncTests(ITestOutputHelper output) : EndToEndTestBase(output)
{
    [Fact]
    public async Task InitialSync_IgnoreRulesAndLimits_MirrorEqualsFilteredWorkspace()
    {
        var workspace = NewWorkspace();
        workspace.Write(".gitignore", "*.log\n!keep.log\nbuild/\n/root-only.txt\n");
        workspace.Write(".aishignore", "private/\n");
        workspace.Write("src/main.c", "int main() { return 0; }\n");
        workspace.Write("src/.gitignore", "generated.c\n");
        workspace.Write("src/generated.c", "ignored by the nested .gitignore");
        workspace.Write("src/sub/root-only.txt", "not anchored here: synced");
        workspace.Write("root-only.txt", "anchored: ignored");
        workspace.Write("debug.log", "ignored");
        workspace.Write("keep.log", "re-included by negation");
        workspace.Write("build/out.txt", "ignored directory");
        workspace.Write("private/notes.txt", "ignored by .aishignore");
        workspace.Write("node_modules/lib/index.js", "built-in exclude");
        workspace.Write(".git/HEAD", "ref: refs/heads/main");
        workspace.Write("unicode/naïve café.txt", "ünïcödé");
        File.WriteAllBytes(
            Path.Combine(workspace.Path, "exact.txt"),
            new byte[102_400]
                .Select(_ => (byte)'a')
                .ToArray()
        );
        File.WriteAllBytes(
            Path.Combine(workspace.Path, "over.txt"),
            new byte[102_401]
                .Select(_ => (byte)'a')
                .ToArray()
        );
        File.WriteAllBytes(Path.Combine(workspace.Path, "binary.bin"), [1, 2, 0, 3]);
        string[] excluded =
        [
            "src/generated.c",
            "root-only.txt",
            "debug.log",
            "build/out.txt",
            "private/notes.txt",
            "node_modules/lib/index.js",
            "over.txt",
            "binary.bin",
        ];
        await StartServerAsync();

        StartAgent(workspace);

        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace), excluded.Contains);
        await Wait.UntilAsync(
            async () => (await Server!.GetStatusAsync()).Workspaces.Any(w => w.Done),
            Wait.Generous,
            () => "file_done"
        );
        var status = (await Server!.GetStatusAsync()).Workspaces.Single();
        Assert.Equal(workspace.Path, status.Path);
        Assert.Equal(1, status.Received.Done);
    }

    [Fact]
    public async Task LiveChanges_CreateModifyDeleteRename_MirrorFollows()
    {
        var workspace = NewWorkspace();
        workspace.Write("a.txt", "a");
        workspace.Write("b.txt", "b");
        await StartServerAsync();
        StartAgent(workspace);
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));

        workspace.Write("created.txt", "new file");
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));

        workspace.Write("a.txt", "a modified");
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));

        File.Delete(Path.Combine(workspace.Path, "b.txt"));
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));

        File.Move(
            Path.Combine(workspace.Path, "created.txt"),
            Path.Combine(workspace.Path, "renamed.txt")
        );
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));

        var status = (await Server!.GetStatusAsync()).Workspaces.Single();
        Assert.Equal(2, status.Files);
    }

    [Fact]
    public async Task Directories_DeleteTreeAndCreateTreeWithFiles_MirrorFollows()
    {
        var workspace = NewWorkspace();
        workspace.Write("keep.txt", "k");
        for (var i = 0; i < 5; i++)
        {
            workspace.Write($"old/sub{i}/file{i}.txt", $"old {i}");
        }
        await StartServerAsync();
        StartAgent(workspace);
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));

        Directory.Delete(Path.Combine(workspace.Path, "old"), recursive: true);
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));

        for (var i = 0; i < 20; i++)
        {
            workspace.Write($"new/deep/er/f{i}.txt", $"new {i}");
        }
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));

        Directory.Move(Path.Combine(workspace.Path, "new"), Path.Combine(workspace.Path, "moved"));
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));
    }

    [Fact]
    public async Task GitInfoExclude_PatternAddedThenRemoved_FileLeavesMirrorThenReturns()
    {
        var workspace = NewWorkspace();
        workspace.Write(".git/HEAD", "ref: refs/heads/main\n");
        workspace.Write(".git/info/exclude", "# local excludes\n");
        workspace.Write("notes/local.txt", "only on this machine");
        workspace.Write("src/app.c", "int main;");
        var exclude = Path.Combine(workspace.Path, ".git", "info", "exclude");
        await StartServerAsync();
        StartAgent(workspace);
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));

        // The periodic rescan is 10 minutes away: only the watcher can make this happen in time.
        File.AppendAllText(exclude, "notes/\n");
        await MirrorAssert.MirrorsAsync(
            workspace.Path,
            MirrorOf(workspace),
            path => path.StartsWith("notes/", StringComparison.Ordinal)
        );

        File.WriteAllText(exclude, "# local excludes\n");
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));
    }

    [Fact]
    public async Task GitInfoExclude_GitDirectoryCreatedThenRemoved_RulesFollow()
    {
        var workspace = NewWorkspace();
        workspace.Write("draft.md", "not for the server");
        workspace.Write("README.md", "hello");
        await StartServerAsync();
        StartAgent(workspace);
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));

        workspace.Write(".git/info/exclude", "draft.md\n");
        await MirrorAssert.MirrorsAsync(
            workspace.Path,
            MirrorOf(workspace),
            path => path == "draft.md"
        );

        Directory.Delete(Path.Combine(workspace.Path, ".git"), recursive: true);
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));
    }

    [Fact]
    public async Task FileLimit_OneWorkspaceOverLimit_RefusedWithSyncErrorOtherStillSyncs()
    {
        var big = NewWorkspace();
        for (var i = 0; i < 2001; i++)
        {
            big.Write($"d{i % 40}/f{i}.txt", "x");
        }
        var small = NewWorkspace();
        small.Write("hello.txt", "hello");
        await StartServerAsync();

        StartAgent([big.Path, small.Path]);

        await MirrorAssert.MirrorsAsync(small.Path, MirrorOf(small));
        var edgeId = await WaitForEdgeIdAsync();
        await Wait.UntilAsync(
            async () =>
                (await Server!.GetRepliesAsync(edgeId)).Any(r => r.Type == "workspace:sync_error"),
            Wait.Generous,
            () => "a workspace:sync_error reply"
        );
        var error = (await Server!.GetRepliesAsync(edgeId)).Single(r =>
            r.Type == "workspace:sync_error"
        );
        Assert.Equal("too_many_files", error.Payload.GetProperty("code").GetString());
        Assert.Equal(2001, error.Payload.GetProperty("count").GetInt32());
        Assert.Equal(2000, error.Payload.GetProperty("limit").GetInt32());
        Assert.Equal(big.Path, error.Payload.GetProperty("path").GetString());
        Assert.False(
            Directory.Exists(MirrorOf(big))
                && Directory.EnumerateFiles(MirrorOf(big), "*", SearchOption.AllDirectories).Any()
        );
    }

    [Fact]
    public async Task ServerRestart_ChangesWhileDown_MirrorConverges()
    {
        var workspace = NewWorkspace();
        workspace.Write("a.txt", "a");
        workspace.Write("b.txt", "b");
        workspace.Write("dir/c.txt", "c");
        await StartServerAsync();
        StartAgent(workspace);
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));

        await Server!.StopAsync();
        workspace.Write("a.txt", "changed while the server was down");
        File.Delete(Path.Combine(workspace.Path, "b.txt"));
        workspace.Write("dir/new.txt", "created while the server was down");
        await RestartServerAsync(keepMirror: true);

        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));
    }

    [Fact]
    public async Task ServerRestart_MirrorLost_AgentResendsEverything()
    {
        var workspace = NewWorkspace();
        workspace.Write("a.txt", "a");
        workspace.Write("dir/c.txt", "c");
        await StartServerAsync(legacy: true);
        StartAgent(workspace);
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));

        await RestartServerAsync(keepMirror: false, legacy: true);

        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));
    }

    [Fact]
    public async Task WrongApiKey_ExitsWithCode3QuicklyWithoutRetrying()
    {
        var workspace = NewWorkspace();
        workspace.Write("a.txt", "a");
        await StartServerAsync(apiKey: "the-right-key");

        var agent = StartAgent(workspace, "--api-key", "a-wrong-key");

        var exitCode = await agent.WaitForExitAsync(Wait.Generous);
        Assert.Equal(3, exitCode);
        var errors = agent
            .Lines.Where(l => l.Contains("error", StringComparison.OrdinalIgnoreCase))
            .ToList();
        var line = Assert.Single(errors);
        Assert.Contains("API key", line);
        Assert.DoesNotContain("a-wrong-key", agent.Output);
        Assert.Empty(MirrorAssert.FilesOf(MirrorOf(workspace)));
    }

    [Fact]
    public async Task WorkspaceArgumentIsALinkToTheFilesystemRoot_RefusedWithExitCode2()
    {
        var toRoot = Path.Combine(NewDirectory().Path, "project");
        Directory.CreateSymbolicLink(toRoot, "/");
        await StartServerAsync();

        var agent = StartAgent([toRoot]);

        Assert.Equal(2, await agent.WaitForExitAsync(Wait.Generous));
        var line = Assert.Single(
            agent.Lines,
            l => l.Contains("error", StringComparison.OrdinalIgnoreCase)
        );
        Assert.Contains("is a link", line);
        Assert.Contains("filesystem root", line);
        Assert.Empty(Directory.EnumerateFileSystemEntries(MirrorRoot));
    }

    [Fact]
    public async Task RightApiKeyFromFile_Syncs()
    {
        var workspace = NewWorkspace();
        workspace.Write("a.txt", "a");
        var keyFile = Path.Combine(NewDirectory().Path, "key");
        File.WriteAllText(keyFile, "the-right-key\n");
        await StartServerAsync(apiKey: "the-right-key");

        StartAgent(workspace, "--api-key-file", keyFile);

        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));
    }

    [Fact]
    public async Task SigTerm_AgentExitsCleanlyWithCode0()
    {
        var workspace = NewWorkspace();
        workspace.Write("a.txt", "a");
        await StartServerAsync();
        var agent = StartAgent(workspace);
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));

        agent.Terminate();

        Assert.Equal(0, await agent.WaitForExitAsync(Wait.Generous));
    }
}
