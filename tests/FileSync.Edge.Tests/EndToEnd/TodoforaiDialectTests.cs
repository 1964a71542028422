using System.Text.Json;
using FileSync.Edge.Tests.Infrastructure;
using FileSync.Protocol;
using FileSync.Server;

namespace FileSync.Edge.Tests.EndToEnd;

/// <summary>
/// A real agent process against the reference server in its todoforai dialect: the key as the
/// WebSocket subprotocol, no capabilities, <c>ERROR</c> frames, <c>edge:config_update</c>, close
/// 4001/4002, text-only content, and replies in the shapes that backend routes by.
/// </summary>
[Trait("Category", "Integration")]
public sealed class TodoforaiDialectTests(ITestOutputHelper output) : EndToEndTestBase(output)
{
    private const string Key = "todo-key-123";

    private Task StartTodoforaiAsync(Action<ServerOptions>? more = null) =>
        StartServerAsync(
            options =>
            {
                options.Dialect = ServerDialect.Todoforai;
                more?.Invoke(options);
            },
            apiKey: Key
        );

    private async Task<ReplyRecord> ReplyAsync(string edgeId, string type, string requestId)
    {
        ReplyRecord? found = null;
        await Wait.UntilAsync(
            async () =>
            {
                found = (await Server!.GetRepliesAsync(edgeId)).FirstOrDefault(r =>
                    r.Type == type
                    && r.Payload.TryGetProperty("requestId", out var id)
                    && id.GetString() == requestId
                );
                return found is not null;
            },
            Wait.Generous,
            () => $"a {type} for {requestId}"
        );
        return found!;
    }

    private static string Json(object value) => JsonSerializer.Serialize(value);

    [Fact]
    public async Task SubprotocolKey_InitialSyncLiveChangesAndUnrelatedErrorKeepsSyncing()
    {
        var workspace = NewWorkspace();
        workspace.Write("a.txt", "alpha");
        workspace.Write("src/b.cs", "class B {}");
        File.WriteAllBytes(Path.Combine(workspace.Path, "latin1.txt"), [0x63, 0x61, 0x66, 0xE9]);
        await StartTodoforaiAsync();

        var agent = StartAgent(workspace, "--api-key", Key);

        await MirrorAssert.MirrorsAsync(
            workspace.Path,
            MirrorOf(workspace),
            p => p == "latin1.txt"
        );
        Assert.False(
            File.Exists(Path.Combine(MirrorOf(workspace), "latin1.txt")),
            "text that is not UTF-8 is never sent to a text-only server"
        );
        var edgeId = await WaitForEdgeIdAsync();
        Assert.Empty((await Server!.GetStatusAsync()).Edges.Single().Capabilities);

        await Server.SendCommandAsync(
            edgeId,
            """{"type":"ERROR","payload":{"message":"Rate limit exceeded, slow down"}}"""
        );
        workspace.Write("a.txt", "alpha, changed after an unrelated ERROR");
        await MirrorAssert.MirrorsAsync(
            workspace.Path,
            MirrorOf(workspace),
            p => p == "latin1.txt"
        );
        Assert.False(agent.HasExited);

        var status = await GetAgentStatusAsync(edgeId);
        var skipped = status
            .GetProperty("workspaces")[0]
            .GetProperty("skippedFiles")
            .EnumerateArray()
            .Single();
        Assert.Equal("latin1.txt", skipped.GetProperty("path").GetString());
        Assert.Equal("not_utf8", skipped.GetProperty("reason").GetString());
        Assert.DoesNotContain(Key, agent.Output);
    }

    [Fact]
    public async Task ConfigUpdate_AddsAndRemovesServerWorkspaces_CommandLineWorkspaceKeepsSyncing()
    {
        var mine = NewWorkspace();
        mine.Write("mine.txt", "given on the command line");
        var first = NewWorkspace();
        first.Write("first.txt", "listed by the server at connect");
        var second = NewWorkspace();
        second.Write("second.txt", "listed by a later config update");
        await StartTodoforaiAsync(o => o.Workspaces = [first.Path]);
        StartAgent(mine, "--api-key", Key);

        await MirrorAssert.MirrorsAsync(first.Path, MirrorOf(first));
        await MirrorAssert.MirrorsAsync(mine.Path, MirrorOf(mine));
        var edgeId = await WaitForEdgeIdAsync();

        // An update for another edge is ignored; one for this edge replaces the server's list.
        await Server!.SendCommandAsync(
            edgeId,
            Json(
                new
                {
                    type = "edge:config_update",
                    payload = new
                    {
                        edgeId = "edge-someone-else",
                        workspacepaths = Array.Empty<string>(),
                    },
                }
            )
        );
        await Server.SendCommandAsync(
            edgeId,
            Json(
                new
                {
                    type = "edge:config_update",
                    payload = new
                    {
                        edgeId,
                        workspacepaths = new[] { second.Path },
                        name = "laptop",
                        isShellEnabled = true,
                    },
                }
            )
        );

        await MirrorAssert.MirrorsAsync(second.Path, MirrorOf(second));
        await Wait.UntilAsync(
            async () =>
            {
                var paths = (await GetAgentStatusAsync(edgeId))
                    .GetProperty("workspaces")
                    .EnumerateArray()
                    .Select(w => w.GetProperty("path").GetString())
                    .ToList();
                return paths.Contains(second.Path)
                    && paths.Contains(mine.Path)
                    && !paths.Contains(first.Path);
            },
            Wait.Generous,
            () => "the server's new list applied, the command line's workspace kept"
        );
        mine.Write("mine.txt", "still synced");
        await MirrorAssert.MirrorsAsync(mine.Path, MirrorOf(mine));
    }

    [Fact]
    public async Task ChunkAndWorkspaceRequests_AnsweredInTheBackendsShapesWithTheRequestEchoed()
    {
        var workspace = NewWorkspace();
        workspace.Write("src/app.py", "print('hi')");
        workspace.Write("README.md", "# readme");
        workspace.Write("node_modules/x/index.js", "ignored");
        workspace.Write(".gitignore", "*.log\n");
        workspace.Write("debug.log", "ignored too");
        await StartTodoforaiAsync();
        StartAgent(workspace, "--api-key", Key);
        await MirrorAssert.MirrorsAsync(
            workspace.Path,
            MirrorOf(workspace),
            p => p.StartsWith("node_modules/", StringComparison.Ordinal) || p == "debug.log"
        );
        var edgeId = await WaitForEdgeIdAsync();
        var missingRoot = Path.Combine(NewDirectory().Path, "not-a-workspace");

        await Server!.SendCommandAsync(
            edgeId,
            Json(
                new
                {
                    type = "file:chunk_request",
                    payload = new
                    {
                        path = "src/app.py",
                        requestId = "c1",
                        rootPath = missingRoot,
                        fallbackRootPaths = new[] { workspace.Path },
                        todoId = "todo-7",
                        messageId = "m-9",
                    },
                }
            )
        );
        var chunk = (await ReplyAsync(edgeId, "file:chunk_result", "c1")).Payload;
        Assert.Equal("print('hi')", chunk.GetProperty("content").GetString());
        Assert.Equal(
            Path.Combine(workspace.Path, "src", "app.py"),
            chunk.GetProperty("full_path").GetString()
        );
        Assert.Equal("todo-7", chunk.GetProperty("todoId").GetString());
        Assert.Equal("m-9", chunk.GetProperty("messageId").GetString());
        Assert.Equal(missingRoot, chunk.GetProperty("rootPath").GetString());

        await Server.SendCommandAsync(
            edgeId,
            Json(
                new
                {
                    type = "frontend:file_chunk_request",
                    payload = new { path = workspace.Path, requestId = "d1" },
                }
            )
        );
        var listing = (await ReplyAsync(edgeId, "frontend:file_chunk_result", "d1")).Payload;
        Assert.Equal(".gitignore\nREADME.md\nsrc/", listing.GetProperty("content").GetString());

        await Server.SendCommandAsync(
            edgeId,
            Json(
                new
                {
                    type = "file:chunk_request",
                    payload = new
                    {
                        path = "/etc/passwd",
                        requestId = "x1",
                        rootPath = workspace.Path,
                    },
                }
            )
        );
        var refused = (await ReplyAsync(edgeId, "file:chunk_result", "x1")).Payload;
        Assert.True(refused.TryGetProperty("error", out _));
        Assert.False(refused.TryGetProperty("content", out _));

        await Server.SendCommandAsync(
            edgeId,
            Json(
                new
                {
                    type = "ctx:workspace_request",
                    payload = new
                    {
                        path = workspace.Path,
                        requestId = "w1",
                        userId = "u-1",
                        agentId = "a-1",
                    },
                }
            )
        );
        var context = (await ReplyAsync(edgeId, "ctx:workspace_result", "w1")).Payload;
        Assert.Equal("u-1", context.GetProperty("userId").GetString());
        Assert.Equal("a-1", context.GetProperty("agentId").GetString());
        var projectFiles = context
            .GetProperty("project_files")
            .EnumerateArray()
            .Select(e => e.GetString())
            .Order(StringComparer.Ordinal);
        Assert.Equal(
            [
                Path.Combine(workspace.Path, ".gitignore"),
                Path.Combine(workspace.Path, "README.md"),
                Path.Combine(workspace.Path, "src", "app.py"),
            ],
            projectFiles
        );
        Assert.Contains(
            Path.Combine(workspace.Path, "node_modules"),
            context.GetProperty("filtered_dirs").EnumerateArray().Select(e => e.GetString())
        );
        Assert.Contains(
            Path.Combine(workspace.Path, "debug.log"),
            context.GetProperty("filtered_files").EnumerateArray().Select(e => e.GetString())
        );
    }

    [Fact]
    public async Task WrongKey_AnsweredWithAnErrorFrame_ExitsWithCode3()
    {
        var workspace = NewWorkspace();
        workspace.Write("a.txt", "a");
        await StartTodoforaiAsync();

        var agent = StartAgent(workspace, "--api-key", "not-the-key");

        Assert.Equal(3, await agent.WaitForExitAsync(Wait.Generous));
        var line = Assert.Single(agent.Lines, l => l.Contains("error:", StringComparison.Ordinal));
        Assert.Contains("API key", line);
        Assert.DoesNotContain("not-the-key", agent.Output);
        Assert.Empty(MirrorAssert.FilesOf(MirrorOf(workspace)));
    }

    [Fact]
    public async Task SecondAgentWithTheSameIdentity_ReplacedOneBacksOffAndTriesAgain_NoExit4()
    {
        var workspace = NewWorkspace();
        workspace.Write("a.txt", "a");
        await StartTodoforaiAsync();
        var first = StartAgent(
            workspace,
            "--api-key",
            Key,
            "--name",
            "shared-identity",
            "--config",
            ShortLongRetryConfig()
        );
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));
        var connectedBefore = first.Lines.Count(l =>
            l.Contains("Connected to", StringComparison.Ordinal)
        );

        // Another config file (one config file has one agent: its local endpoint), the same identity.
        var second = StartAgent(
            workspace,
            "--api-key",
            Key,
            "--name",
            "shared-identity",
            "--config",
            ShortLongRetryConfig()
        );

        await first.WaitForLineAsync("Another connection of this edge's identity");
        // It pauses (1 s here) and connects again, replacing the newcomer in turn; nobody exits.
        await Wait.UntilAsync(
            () =>
                first.Lines.Count(l => l.Contains("Connected to", StringComparison.Ordinal))
                > connectedBefore,
            "the replaced agent to connect again"
        );
        Assert.Contains(first.Lines, l => l.Contains("close 4002", StringComparison.Ordinal));
        Assert.False(first.HasExited);
        Assert.False(second.HasExited);
    }

    [Fact]
    public async Task SecondConnectionRefusedWith4001_NewcomerBacksOffAndTriesAgain_NoExit4()
    {
        var workspace = NewWorkspace();
        workspace.Write("a.txt", "a");
        await StartTodoforaiAsync(o => o.RejectSecondConnection = true);
        var first = StartAgent(workspace, "--api-key", Key, "--name", "shared-identity");
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));

        // Another config file (one config file has one agent: its local endpoint), the same identity.
        var second = StartAgent(
            workspace,
            "--api-key",
            Key,
            "--name",
            "shared-identity",
            "--config",
            ShortLongRetryConfig()
        );

        await second.WaitForLineAsync("close 4001");
        await Wait.UntilAsync(
            () => second.Lines.Count(l => l.Contains("close 4001", StringComparison.Ordinal)) >= 2,
            "the newcomer to try again after its pause and be refused again"
        );
        Assert.False(second.HasExited);
        Assert.False(first.HasExited);
    }

    /// <summary>A config file of its own (so each agent has its own local endpoint) with a 1 s long pause.</summary>
    private string ShortLongRetryConfig()
    {
        var path = Path.Combine(NewDirectory().Path, "config.json");
        File.WriteAllText(
            path,
            """{ "Uplink": { "LongRetrySeconds": 1, "LongRetryMaxSeconds": 2 } }"""
        );
        return path;
    }
}
