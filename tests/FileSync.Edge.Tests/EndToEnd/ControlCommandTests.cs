using System.Text;
using System.Text.Json;
using FileSync.Edge.Configuration;
using FileSync.Edge.Tests.Control;
using FileSync.Edge.Tests.Infrastructure;
using FileSync.Protocol;
using FileSync.Server;

namespace FileSync.Edge.Tests.EndToEnd;

/// <summary>
/// Each server command end to end: posted to the reference server's admin API
/// (<c>POST /api/edges/{edgeId}/commands</c>), executed by a real agent process, answered through
/// <c>GET /api/edges/{edgeId}/replies</c>.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ControlCommandTests(ITestOutputHelper output) : EndToEndTestBase(output)
{
    private readonly List<ChildProcess> _agents = [];
    private string _configFile = "";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _configFile = Path.Combine(NewDirectory().Path, "filesync-edge", "config.json");
    }

    public override async Task DisposeAsync()
    {
        foreach (var agent in _agents)
        {
            await agent.DisposeAsync();
        }
        await base.DisposeAsync();
    }

    /// <summary>Starts an agent whose config file (where server-chosen workspaces are remembered) is private to the test.</summary>
    private ChildProcess StartAgentWithConfig(params string[] workspaces)
    {
        var arguments = workspaces.Concat([
            "--server",
            Server!.WebSocketUri.ToString(),
            "--config",
            _configFile,
        ]);
        var agent = ChildProcess.StartBuilt(
            "filesync-edge",
            arguments,
            Output,
            new Dictionary<string, string?> { ["FILESYNC_STATE_DIR"] = StateDirectory }
        );
        _agents.Add(agent);
        return agent;
    }

    private static string Quote(string value) => "\"" + JsonEncodedText.Encode(value) + "\"";

    private static string Command(string type, string payload) =>
        $$"""{"type":"{{type}}","payload":{{payload}}}""";

    private static string PathCommand(string type, string path) =>
        Command(type, $$"""{"path":{{Quote(path)}}}""");

    private static string? Text(ReplyRecord reply, string property) =>
        reply.Payload.ValueKind == JsonValueKind.Object
        && reply.Payload.TryGetProperty(property, out var value)
        && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    /// <summary>Waits for the first reply of <paramref name="type"/> that <paramref name="match"/> accepts.</summary>
    private async Task<ReplyRecord> ReplyAsync(
        string edgeId,
        string type,
        Func<ReplyRecord, bool>? match = null,
        string? what = null
    )
    {
        ReplyRecord? found = null;
        await Wait.UntilAsync(
            async () =>
            {
                found = (await Server!.GetRepliesAsync(edgeId)).FirstOrDefault(r =>
                    r.Type == type && (match?.Invoke(r) ?? true)
                );
                return found is not null;
            },
            Wait.Generous,
            () => what ?? $"a '{type}' reply"
        );
        return found!;
    }

    private Task<ReplyRecord> ReplyForAsync(string edgeId, string type, string requestId) =>
        ReplyAsync(
            edgeId,
            type,
            r => Text(r, "requestId") == requestId,
            $"'{type}' for request {requestId}"
        );

    private async Task<JsonElement> StatusAsync(string edgeId, string requestId)
    {
        await Server!.SendCommandAsync(
            edgeId,
            Command(MessageTypes.StatusRequest, $$"""{"requestId":"{{requestId}}"}""")
        );
        return (await ReplyForAsync(edgeId, MessageTypes.EdgeStatus, requestId)).Payload;
    }

    private static string[] WorkspacePaths(JsonElement status) =>
        [
            .. status
                .GetProperty("workspaces")
                .EnumerateArray()
                .Select(w => w.GetProperty("path").GetString()!)
                .Order(StringComparer.Ordinal),
        ];

    private string[] SavedWorkspaces() =>
        [.. (AgentConfigFile.ReadWorkspaces(_configFile) ?? []).Order(StringComparer.Ordinal)];

    [Fact]
    public async Task ChunkRequest_FilesInWorkspace_ContentOrErrorReply()
    {
        var workspace = NewWorkspace();
        workspace.Write("hello.txt", "hello, world");
        workspace.Write("sub/deep.txt", "deep");
        File.WriteAllBytes(Path.Combine(workspace.Path, "latin1.txt"), [0x63, 0x61, 0x66, 0xE9]);
        File.WriteAllBytes(Path.Combine(workspace.Path, "bin.dat"), [1, 2, 0, 3]);
        workspace.Write("big.txt", new string('x', 102_401));
        await StartServerAsync();
        StartAgent(workspace);
        var edgeId = await WaitForEdgeIdAsync();
        (string File, string Id)[] requests =
        [
            ("hello.txt", "c1"),
            ("sub/deep.txt", "c2"),
            ("latin1.txt", "c3"),
            ("bin.dat", "c4"),
            ("big.txt", "c5"),
            ("nope.txt", "c6"),
        ];

        foreach (var (file, id) in requests)
        {
            await Server!.SendCommandAsync(
                edgeId,
                Command(
                    MessageTypes.ChunkRequest,
                    $$"""{"path":{{Quote(Path.Combine(workspace.Path, file))}},"requestId":"{{id}}"}"""
                )
            );
        }

        var hello = await ReplyForAsync(edgeId, MessageTypes.ChunkResult, "c1");
        Assert.Equal(("hello, world", "utf8"), (Text(hello, "content"), Text(hello, "encoding")));
        Assert.Equal(Path.Combine(workspace.Path, "hello.txt"), Text(hello, "path"));
        Assert.Equal(
            "deep",
            Text(await ReplyForAsync(edgeId, MessageTypes.ChunkResult, "c2"), "content")
        );
        var latin1 = await ReplyForAsync(edgeId, MessageTypes.ChunkResult, "c3");
        Assert.Equal(("Y2Fm6Q==", "base64"), (Text(latin1, "content"), Text(latin1, "encoding")));
        Assert.Equal(
            ErrorCodes.Binary,
            Text(await ReplyForAsync(edgeId, MessageTypes.ChunkResult, "c4"), "code")
        );
        Assert.Equal(
            ErrorCodes.TooLarge,
            Text(await ReplyForAsync(edgeId, MessageTypes.ChunkResult, "c5"), "code")
        );
        Assert.Equal(
            ErrorCodes.NotFound,
            Text(await ReplyForAsync(edgeId, MessageTypes.ChunkResult, "c6"), "code")
        );
    }

    [LinuxFact("watches the canary's opens with inotify (Linux)")]
    public async Task ChunkRequest_HostilePaths_ErrorRepliesAndTheCanaryIsNeverOpened()
    {
        var canaryDirectory = NewDirectory();
        var canary = canaryDirectory.Write(
            "canary.txt",
            "the canary: must never be opened by the agent"
        );
        var control = canaryDirectory.Write(
            "control.txt",
            "read by the test to prove the watch works"
        );
        var workspace = NewWorkspace();
        workspace.Write("a.txt", "a");
        workspace.Write(".gitignore", ".env\n");
        workspace.Write(".env", "API_TOKEN=secret");
        workspace.Write("sub/x.txt", "x");
        File.CreateSymbolicLink(Path.Combine(workspace.Path, "link-file"), canary);
        Directory.CreateSymbolicLink(
            Path.Combine(workspace.Path, "link-dir"),
            canaryDirectory.Path
        );
        using var watch = new InotifyOpenWatch();
        watch.Add(canaryDirectory.Path);
        watch.Add(canary);
        watch.ProveWorks(control);
        await StartServerAsync();
        StartAgent(workspace);
        // Not MirrorAssert: listing the workspace would follow link-dir and open the canary's folder itself.
        await Wait.UntilAsync(
            async () => (await Server!.GetStatusAsync()).Workspaces.Any(w => w.Done),
            Wait.Generous,
            () => "the initial sync"
        );
        var edgeId = await WaitForEdgeIdAsync();
        var canaryName = Path.GetFileName(canaryDirectory.Path);
        string[] hostile =
        [
            canary,
            canary + "/.",
            Path.Combine(workspace.Path, "..", canaryName, "canary.txt"),
            Path.Combine(workspace.Path, "sub", "..", "..", canaryName, "canary.txt"),
            workspace.Path + "/../../../../../../.." + canary,
            Path.Combine(workspace.Path, "link-file"),
            Path.Combine(workspace.Path, "link-dir", "canary.txt"),
            Path.Combine(workspace.Path, ".env"),
            Path.Combine(workspace.Path, ".git", "config"),
            @"\\.\" + canary,
            @"\\?\" + canary,
            @"\\localhost\share\canary.txt",
            "//localhost" + canary,
            "CON",
            @"C:\Windows\win.ini",
            "canary.txt",
            "file://" + canary,
            canary + "\0.txt",
        ];

        for (var i = 0; i < hostile.Length; i++)
        {
            await Server!.SendCommandAsync(
                edgeId,
                Command(
                    MessageTypes.ChunkRequest,
                    $$"""{"path":{{Quote(hostile[i])}},"requestId":"h{{i}}"}"""
                )
            );
        }

        for (var i = 0; i < hostile.Length; i++)
        {
            var reply = await ReplyForAsync(edgeId, MessageTypes.ChunkResult, $"h{i}");
            Assert.True(Text(reply, "content") is null, $"{hostile[i]} was answered with content");
            Assert.False(string.IsNullOrWhiteSpace(Text(reply, "error")), hostile[i]);
            Assert.True(
                Text(reply, "code") is ErrorCodes.ForbiddenPath or ErrorCodes.NotFound,
                $"{hostile[i]}: {Text(reply, "code")}"
            );
        }
        Assert.Equal(
            ErrorCodes.ForbiddenPath,
            Text(await ReplyForAsync(edgeId, MessageTypes.ChunkResult, "h7"), "code")
        );
        Assert.Empty(watch.ReadEvents());
    }

    [Fact]
    public async Task WorkspaceRequest_ActiveWorkspace_ReturnsTheFilteredFileList()
    {
        var workspace = NewWorkspace();
        workspace.Write("b.txt", "b");
        workspace.Write("a/c.txt", "c");
        workspace.Write(".gitignore", "*.log\n");
        workspace.Write("debug.log", "ignored");
        workspace.Write("node_modules/x.js", "ignored");
        await StartServerAsync();
        StartAgent(workspace);
        var edgeId = await WaitForEdgeIdAsync();

        await Server!.SendCommandAsync(
            edgeId,
            Command(
                MessageTypes.WorkspaceRequest,
                $$"""{"path":{{Quote(workspace.Path)}},"requestId":"w1"}"""
            )
        );

        var result = await ReplyForAsync(edgeId, MessageTypes.WorkspaceResult, "w1");
        Assert.Equal(workspace.Path, Text(result, "path"));
        Assert.Equal(
            [".gitignore", "a/c.txt", "b.txt"],
            result.Payload.GetProperty("files").EnumerateArray().Select(f => f.GetString())
        );
    }

    [Fact]
    public async Task StatusRequest_AfterInitialSync_ReportsWorkspacesUptimeAndVersion()
    {
        var workspace = NewWorkspace();
        workspace.Write("a.txt", "aaa");
        workspace.Write("b.txt", "bb");
        File.WriteAllBytes(Path.Combine(workspace.Path, "skip.bin"), [0, 1]);
        await StartServerAsync();
        StartAgent(workspace);
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace), p => p == "skip.bin");
        var edgeId = await WaitForEdgeIdAsync();

        // The mirror can be complete a moment before the agent records the workspace as watching.
        JsonElement status = default;
        var asked = 0;
        await Wait.UntilAsync(
            async () =>
            {
                status = await StatusAsync(edgeId, $"s{++asked}");
                return status
                    .GetProperty("workspaces")
                    .EnumerateArray()
                    .All(w => w.GetProperty("state").GetString() == "watching");
            },
            Wait.Generous,
            () => $"workspace watching: {status}"
        );

        Assert.Equal(edgeId, status.GetProperty("edgeId").GetString());
        Assert.StartsWith("0.1.0", status.GetProperty("version").GetString());
        Assert.True(status.GetProperty("connectedSeconds").GetDouble() >= 0);
        var entry = Assert.Single(status.GetProperty("workspaces").EnumerateArray());
        Assert.Equal(workspace.Path, entry.GetProperty("path").GetString());
        Assert.Equal("watching", entry.GetProperty("state").GetString());
        Assert.Equal(2, entry.GetProperty("files").GetInt32());
        Assert.Equal(5, entry.GetProperty("bytes").GetInt64());
        Assert.Equal(1, entry.GetProperty("skipped").GetInt32());
    }

    [Fact]
    public async Task SyncStartAndStop_SecondWorkspace_MirroredThenStoppedAndRemembered()
    {
        var first = NewWorkspace();
        first.Write("one.txt", "1");
        var second = NewWorkspace();
        second.Write("two.txt", "2");
        second.Write("dir/three.txt", "3");
        await StartServerAsync();
        StartAgentWithConfig(first.Path);
        var edgeId = await WaitForEdgeIdAsync();

        await Server!.SendCommandAsync(edgeId, PathCommand(MessageTypes.SyncStart, second.Path));

        await MirrorAssert.MirrorsAsync(second.Path, MirrorOf(second));
        Assert.Equal(
            new[] { first.Path, second.Path }.Order(StringComparer.Ordinal),
            WorkspacePaths(await StatusAsync(edgeId, "after-start"))
        );
        Assert.Equal([second.Path], SavedWorkspaces());

        await Server.SendCommandAsync(edgeId, PathCommand(MessageTypes.SyncStop, second.Path));

        Assert.Equal([first.Path], WorkspacePaths(await StatusAsync(edgeId, "after-stop")));
        Assert.Empty(SavedWorkspaces());
        Assert.DoesNotContain(
            await Server.GetRepliesAsync(edgeId),
            r => r.Type is MessageTypes.SyncError or MessageTypes.Error
        );
    }

    [Fact]
    public async Task Resync_MirrorFileDeletedOnTheServer_ManifestExchangeRestoresIt()
    {
        var workspace = NewWorkspace();
        workspace.Write("a.txt", "a");
        workspace.Write("dir/b.txt", "b");
        await StartServerAsync();
        StartAgent(workspace);
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));
        await Wait.UntilAsync(
            async () => (await Server!.GetStatusAsync()).Workspaces.Single().Done,
            Wait.Generous,
            () => "file_done"
        );
        var edgeId = await WaitForEdgeIdAsync();
        var manifestsBefore = (await Server!.GetStatusAsync())
            .Workspaces.Single()
            .Received.Manifest;
        File.Delete(Path.Combine(MirrorOf(workspace), "dir", "b.txt"));

        await Server.SendCommandAsync(edgeId, PathCommand(MessageTypes.Resync, workspace.Path));

        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));
        Assert.True(
            (await Server.GetStatusAsync()).Workspaces.Single().Received.Manifest > manifestsBefore
        );
    }

    [Fact]
    public async Task ConfigUpdate_MixedPaths_StartsStopsAndRefusesEachBadOne()
    {
        var first = NewWorkspace();
        first.Write("one.txt", "1");
        var second = NewWorkspace();
        second.Write("two.txt", "2");
        var missing = Path.Combine(NewDirectory().Path, "missing");
        await StartServerAsync();
        StartAgentWithConfig(first.Path);
        var edgeId = await WaitForEdgeIdAsync();

        await Server!.SendCommandAsync(
            edgeId,
            Command(
                MessageTypes.ConfigUpdate,
                $$"""{"workspacepaths":[{{Quote(second.Path)}},{{Quote(missing)}},"/","relative/path"]}"""
            )
        );

        await MirrorAssert.MirrorsAsync(second.Path, MirrorOf(second));
        // The folder given on the command line keeps syncing whatever the server lists.
        Assert.Equal(
            new[] { first.Path, second.Path }.Order(StringComparer.Ordinal),
            WorkspacePaths(await StatusAsync(edgeId, "after-config")).Order(StringComparer.Ordinal)
        );
        var errors = (await Server.GetRepliesAsync(edgeId))
            .Where(r => r.Type == MessageTypes.SyncError)
            .ToList();
        Assert.Equal(
            new (string?, string?)[]
            {
                (missing, ErrorCodes.NotFound),
                ("/", ErrorCodes.ForbiddenPath),
                ("relative/path", ErrorCodes.ForbiddenPath),
            },
            errors.Select(e => (Text(e, "path"), Text(e, "code"))).ToArray()
        );
        Assert.Equal([second.Path], SavedWorkspaces());
    }

    [Fact]
    public async Task MalformedCommands_ThroughTheAdminApi_OneErrorEachAndStillServing()
    {
        var workspace = NewWorkspace();
        workspace.Write("a.txt", "a");
        await StartServerAsync();
        StartAgent(workspace);
        var edgeId = await WaitForEdgeIdAsync();
        string[] malformed =
        [
            """{"type":"file:chunk_request","payload":{"path":42,"requestId":"m0"}}""",
            """{"type":"file:chunk_request","payload":{"requestId":"m1","path":"\ud800"}}""",
            """{"type":"ctx:workspace_request","payload":{"requestId":"m2","path":["x"]}}""",
            """{"type":"edge:config_update","payload":{"requestId":"m3","workspacepaths":"not-an-array"}}""",
            """{"type":"workspace:sync_start","payload":{"requestId":"m4"}}""",
            """{"type":"workspace:manifest_diff","payload":{"requestId":"m5","need":7}}""",
            """{"type":"file:chunk_request","payload":[1,2,3]}""",
            """{"type":"file:chunk_request","payload":"m7"}""",
            """{"type":"file:chunk_request"}""",
            Command(
                MessageTypes.ChunkRequest,
                string.Concat(Enumerable.Repeat("{\"a\":", 40)) + "1" + new string('}', 40)
            ),
        ];

        foreach (var command in malformed)
        {
            await Server!.SendCommandAsync(edgeId, command);
        }
        await Server!.SendCommandAsync(
            edgeId,
            Command("no:such_type", """{"requestId":"unknown"}""")
        );

        await StatusAsync(edgeId, "after-malformed");
        var errors = (await Server.GetRepliesAsync(edgeId))
            .Where(r => r.Type == MessageTypes.Error)
            .ToList();
        Assert.Equal(malformed.Length, errors.Count);
        Assert.Equal(
            ["m0", "m1", "m2", "m3", "m4", "m5"],
            errors.Take(6).Select(e => Text(e, "requestId"))
        );
        Assert.All(errors.Take(6), e => Assert.Equal(ErrorCodes.InvalidPayload, Text(e, "code")));
        Assert.Equal(
            [
                ErrorCodes.MalformedMessage,
                ErrorCodes.MalformedMessage,
                ErrorCodes.InvalidPayload,
                ErrorCodes.MalformedMessage,
            ],
            errors.Skip(6).Select(e => Text(e, "code"))
        );
        Assert.DoesNotContain(
            await Server.GetRepliesAsync(edgeId),
            r => r.Type == MessageTypes.ChunkResult
        );
    }

    [Fact]
    public async Task HostileServer_FramesTheAdminApiCannotForward_OneErrorEachAndTheAgentStaysConnected()
    {
        // The reference server refuses bodies over 5 MB and non-JSON, so a raw server sends those.
        var workspace = NewWorkspace();
        workspace.Write("a.txt", "a");
        await using var hostile = await HostileServer.StartAsync();
        var agent = ChildProcess.StartBuilt(
            "filesync-edge",
            [workspace.Path, "--server", hostile.Uri.ToString(), "--config", NoConfigFile],
            Output,
            new Dictionary<string, string?> { ["FILESYNC_STATE_DIR"] = StateDirectory }
        );
        _agents.Add(agent);
        var connection = await hostile.AcceptAsync();
        await connection.SendHelloAsync();
        var oversized = new byte[ProtocolMessage.MaxFrameBytes + 1];
        oversized.AsSpan().Fill((byte)' ');
        "{\"type\":\"edge:status_request\",\"payload\":{\"requestId\":\"huge\"}}"u8.CopyTo(
            oversized
        );

        await connection.SendTextAsync("this is not JSON");
        var notJson = await connection.ReceiveErrorAsync(ErrorCodes.MalformedMessage);
        await connection.SendAsync(oversized, System.Net.WebSockets.WebSocketMessageType.Text);
        var tooLarge = await connection.ReceiveErrorAsync(ErrorCodes.MalformedMessage);
        await connection.SendAsync(
            "{\"type\":\"edge:status_request\"}"u8.ToArray(),
            System.Net.WebSockets.WebSocketMessageType.Binary
        );
        var binary = await connection.ReceiveErrorAsync(ErrorCodes.MalformedMessage);
        await connection.SendTextAsync(
            Command(MessageTypes.StatusRequest, """{"requestId":"after"}""")
        );

        await connection.ReceiveStatusAsync("after");
        Assert.Contains("not valid JSON", notJson.Payload.GetProperty("message").GetString());
        Assert.Contains(
            "larger than the limit",
            tooLarge.Payload.GetProperty("message").GetString()
        );
        Assert.Contains("binary", binary.Payload.GetProperty("message").GetString());
        Assert.Equal(1, hostile.ConnectionCount);
        Assert.False(agent.HasExited);
    }

    [Fact]
    public async Task ServerChosenWorkspaces_AgentRestart_ResumedWithTheNewCliWorkspaceAdded()
    {
        var cliFirst = NewWorkspace();
        cliFirst.Write("cli.txt", "given on the first command line");
        var chosen = NewWorkspace();
        chosen.Write("chosen.txt", "chosen by the server");
        var cliSecond = NewWorkspace();
        cliSecond.Write("second.txt", "given on the second command line");
        Directory.CreateDirectory(Path.GetDirectoryName(_configFile)!);
        File.WriteAllText(
            _configFile,
            """{ "Sync": { "MaxFiles": 500 }, "Custom": { "keep": [1, "two", null] } }"""
        );
        await StartServerAsync();
        var agent = StartAgentWithConfig(cliFirst.Path);
        var edgeId = await WaitForEdgeIdAsync();
        await Server!.SendCommandAsync(edgeId, PathCommand(MessageTypes.SyncStart, chosen.Path));
        await MirrorAssert.MirrorsAsync(chosen.Path, MirrorOf(chosen));

        Assert.Equal([chosen.Path], SavedWorkspaces());
        using (var saved = JsonDocument.Parse(File.ReadAllText(_configFile)))
        {
            Assert.Equal(
                500,
                saved.RootElement.GetProperty("Sync").GetProperty("MaxFiles").GetInt32()
            );
            Assert.Equal(
                """[1,"two",null]""",
                saved
                    .RootElement.GetProperty("Custom")
                    .GetProperty("keep")
                    .GetRawText()
                    .Replace(" ", "")
                    .Replace("\n", "")
                    .Replace("\r", "")
            );
        }
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(
                UnixFileMode.UserRead | UnixFileMode.UserWrite,
                File.GetUnixFileMode(_configFile)
            );
        }
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(_configFile)!, "*.tmp"));

        agent.Terminate();
        Assert.Equal(0, await agent.WaitForExitAsync(Wait.Generous));
        await Wait.UntilAsync(
            async () => (await Server.GetStatusAsync()).Edges.Count == 0,
            Wait.Generous,
            () => "the first agent to disconnect"
        );
        StartAgentWithConfig(cliSecond.Path);
        edgeId = await WaitForEdgeIdAsync();
        chosen.Write("after-restart.txt", "written while the new agent runs");

        await MirrorAssert.MirrorsAsync(chosen.Path, MirrorOf(chosen));
        await MirrorAssert.MirrorsAsync(cliSecond.Path, MirrorOf(cliSecond));
        Assert.Equal(
            new[] { chosen.Path, cliSecond.Path }.Order(StringComparer.Ordinal),
            WorkspacePaths(await StatusAsync(edgeId, "after-restart"))
        );
        Assert.Equal([chosen.Path], SavedWorkspaces());
    }
}
