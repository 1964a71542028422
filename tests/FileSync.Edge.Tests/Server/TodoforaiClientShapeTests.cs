using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using FileSync.Edge.Tests.Infrastructure;
using FileSync.Protocol;
using FileSync.Server;
using Xunit.Abstractions;

namespace FileSync.Edge.Tests.Server;

/// <summary>
/// The reference server in <c>--dialect todoforai</c> against frames shaped exactly as the public
/// todoforai edge clients send them: the key check first (<c>GET /api/v1/apikey/validate</c> with
/// <c>x-api-key</c>), the key as the only offered subprotocol, then sync frames carrying only the
/// absolute <c>path</c>, text <c>content</c>, <c>edgeId</c> and <c>userId</c>; a <c>file_done</c>
/// with snake_case stats; a workspace added with <c>PATCH /api/v1/edges/{id}</c>.
/// </summary>
public sealed class TodoforaiClientShapeTests(ITestOutputHelper output) : ServerTestBase(output)
{
    private const string Key = "todo-key-123";

    private Task<InProcessServer> StartTodoforaiAsync(params string[] workspaces) =>
        StartServerAsync(
            apiKey: Key,
            configure: o =>
            {
                o.Dialect = ServerDialect.Todoforai;
                o.Workspaces = [.. workspaces];
            }
        );

    /// <summary>A folder "on the edge" (outside the mirror) holding <paramref name="files"/>.</summary>
    private string EdgeWorkspace(string name, params (string Path, string Text)[] files)
    {
        var root = Path.Combine(Sandbox.Root, "edge", name);
        foreach (var (relative, text) in files)
        {
            var full = Path.Combine(root, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, text);
        }
        Directory.CreateDirectory(root);
        return root;
    }

    private static HttpClient Http(InProcessServer server) =>
        new() { BaseAddress = server.BaseAddress };

    private static async Task<HttpResponseMessage> ValidateAsync(
        InProcessServer server,
        string? key
    )
    {
        using var http = Http(server);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/apikey/validate");
        if (key is not null)
        {
            request.Headers.Add("x-api-key", key);
        }
        return await http.SendAsync(request);
    }

    /// <summary>What the client's initial sync sends: a create per file, then file_done for the root.</summary>
    private static async Task InitialSyncAsync(RawEdgeClient client, string root)
    {
        foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
        {
            await client.SendTextAsync(
                EdgeMessages.PathOnly(
                    MessageTypes.FileCreateSync,
                    file,
                    await File.ReadAllTextAsync(file),
                    client.EdgeId
                )
            );
        }
        await client.SendTextAsync(
            EdgeMessages.Envelope(
                MessageTypes.FileDone,
                System.Text.Json.Nodes.JsonNode.Parse(
                    JsonSerializer.Serialize(
                        new Dictionary<string, object>
                        {
                            ["path"] = root,
                            ["edgeId"] = client.EdgeId,
                            ["userId"] = "local",
                            ["stats"] = new Dictionary<string, int>
                            {
                                ["files_synced"] = 3,
                                ["files_skipped"] = 0,
                                ["sync_errors"] = 0,
                                ["bytes_synced"] = 30,
                            },
                        }
                    )
                )
            )
        );
    }

    private async Task<RawEdgeClient> ConnectLikeTheClientAsync(InProcessServer server)
    {
        // Their key check comes first: without a 200 and "valid", neither client opens the WebSocket.
        using (var validation = await ValidateAsync(server, Key))
        {
            Assert.Equal(HttpStatusCode.OK, validation.StatusCode);
            var body = await validation.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(body.GetProperty("valid").GetBoolean());
            Assert.False(string.IsNullOrEmpty(body.GetProperty("userId").GetString()));
        }
        var client = await ConnectAsync(server, "todoforai-machine", subprotocol: Key);
        Assert.Equal(Key, client.Socket.SubProtocol);
        Assert.True(
            !client.Hello.Payload.TryGetProperty("capabilities", out var caps)
                || caps.ValueKind == JsonValueKind.Null
                || caps.GetArrayLength() == 0,
            "no capabilities in the todoforai dialect"
        );
        return client;
    }

    [Fact]
    public async Task RealClientShapes_KeyCheckPathOnlyFramesAndLiveChanges_MirrorEqualsWorkspace()
    {
        var root = EdgeWorkspace(
            "proj",
            ("README.md", "# readme"),
            ("src/app.py", "print('hi')"),
            ("src/deep/x/y.txt", "deep")
        );
        var server = await StartTodoforaiAsync(root);
        var client = await ConnectLikeTheClientAsync(server);
        var config = await client.ReceiveAsync(MessageTypes.ConfigUpdate);
        Assert.Equal(
            root,
            config.Payload.GetProperty("workspacepaths").EnumerateArray().Single().GetString()
        );

        await InitialSyncAsync(client, root);

        var mirror = Path.Combine(server.MirrorDirectory, "proj");
        await MirrorAssert.MirrorsAsync(root, mirror);
        await WaitForWorkspaceAsync(server, w => w.Done && w.Files == 3, "file_done applied");

        // Live changes, as its watcher sends them.
        File.WriteAllText(Path.Combine(root, "src/app.py"), "print('changed')");
        await client.SendTextAsync(
            EdgeMessages.PathOnly(
                MessageTypes.FileModifySync,
                Path.Combine(root, "src/app.py"),
                "print('changed')",
                client.EdgeId
            )
        );
        File.Delete(Path.Combine(root, "README.md"));
        await client.SendTextAsync(
            EdgeMessages.PathOnly(
                MessageTypes.FileDeleteSync,
                Path.Combine(root, "README.md"),
                null,
                client.EdgeId
            )
        );
        Directory.CreateDirectory(Path.Combine(root, "new"));
        File.WriteAllText(Path.Combine(root, "new/n.txt"), "new file");
        await client.SendTextAsync(
            EdgeMessages.PathOnly(
                MessageTypes.FileCreateSync,
                Path.Combine(root, "new/n.txt"),
                "new file",
                client.EdgeId
            )
        );

        await MirrorAssert.MirrorsAsync(root, mirror);
        Assert.Equal(
            ["proj"],
            Directory.GetDirectories(server.MirrorDirectory).Select(Path.GetFileName)
        );
    }

    [Theory]
    [InlineData("/somewhere/else/x.txt")]
    [InlineData("{root}/../escape.txt")]
    [InlineData("{root}/sub/../../escape.txt")]
    [InlineData("{root}-sibling/x.txt")]
    [InlineData("{root}")]
    [InlineData("relative/x.txt")]
    public async Task PathUnderNoRootOrTraversal_LowercaseErrorAndTheClientKeepsSyncing(
        string template
    )
    {
        var root = EdgeWorkspace("proj");
        var server = await StartTodoforaiAsync(root);
        var client = await ConnectLikeTheClientAsync(server);
        await client.ReceiveAsync(MessageTypes.ConfigUpdate);

        await client.SendTextAsync(
            EdgeMessages.PathOnly(
                MessageTypes.FileCreateSync,
                template.Replace("{root}", root, StringComparison.Ordinal),
                "pwned",
                client.EdgeId
            )
        );

        var error = await client.ReceiveErrorAsync(ErrorCodes.ForbiddenPath);
        Assert.False(string.IsNullOrWhiteSpace(error.Payload.GetProperty("message").GetString()));
        await client.SendTextAsync(
            EdgeMessages.PathOnly(
                MessageTypes.FileCreateSync,
                Path.Combine(root, "after.txt"),
                "still syncing",
                client.EdgeId
            )
        );
        await Wait.UntilAsync(
            () => File.Exists(Sandbox.MirrorPath("proj", "after.txt")),
            "a valid frame applied after the refused one"
        );
        Assert.Equal(["mirror/proj/after.txt"], Sandbox.AllFiles());
    }

    [Fact]
    public async Task OverlappingRoots_LongestMatchingRootNamesTheWorkspace()
    {
        var outer = EdgeWorkspace("proj", ("top.txt", "outer"), ("inner/in.txt", "inner"));
        var inner = Path.Combine(outer, "inner");
        var server = await StartTodoforaiAsync(outer, inner);
        var client = await ConnectLikeTheClientAsync(server);

        await client.SendTextAsync(
            EdgeMessages.PathOnly(
                MessageTypes.FileCreateSync,
                Path.Combine(outer, "top.txt"),
                "outer",
                client.EdgeId
            )
        );
        await client.SendTextAsync(
            EdgeMessages.PathOnly(
                MessageTypes.FileCreateSync,
                Path.Combine(inner, "in.txt"),
                "inner",
                client.EdgeId
            )
        );

        await Wait.UntilAsync(
            () =>
                File.Exists(Sandbox.MirrorPath("inner", "in.txt"))
                && File.Exists(Sandbox.MirrorPath("proj", "top.txt")),
            "each file under its innermost root"
        );
        Assert.False(File.Exists(Sandbox.MirrorPath("proj", "inner/in.txt")));
    }

    [Fact]
    public async Task RootAnnouncedWithPatch_PathOnlyFramesUnderItAccepted()
    {
        var root = EdgeWorkspace("added", ("a.txt", "alpha"));
        var server = await StartTodoforaiAsync();
        var client = await ConnectLikeTheClientAsync(server);
        var frame = EdgeMessages.PathOnly(
            MessageTypes.FileCreateSync,
            Path.Combine(root, "a.txt"),
            "alpha",
            client.EdgeId
        );

        await client.SendTextAsync(frame);
        await client.ReceiveErrorAsync(ErrorCodes.ForbiddenPath);

        using var http = Http(server);
        using var wrongKey = new HttpRequestMessage(
            HttpMethod.Patch,
            $"/api/v1/edges/{client.EdgeId}"
        )
        {
            Content = JsonContent.Create(new { updates = new { workspacepaths = new[] { root } } }),
        };
        wrongKey.Headers.Add("x-api-key", "wrong");
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(wrongKey)).StatusCode);
        using var patch = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/edges/{client.EdgeId}")
        {
            Content = JsonContent.Create(new { updates = new { workspacepaths = new[] { root } } }),
        };
        patch.Headers.Add("x-api-key", Key);
        using var answer = await http.SendAsync(patch);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);

        await client.SendTextAsync(frame);
        await MirrorAssert.MirrorsAsync(root, Sandbox.MirrorPath("added", ""));
    }

    [Theory]
    [InlineData("wrong-key")]
    [InlineData(null)]
    public async Task Validate_WrongOrMissingKey_401WithValidFalse(string? key)
    {
        var server = await StartTodoforaiAsync();

        using var answer = await ValidateAsync(server, key);

        Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
        var body = await answer.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(body.GetProperty("valid").GetBoolean());
        Assert.Equal("Invalid API key", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task WrongKeyAsSubprotocol_EchoedThenErrorInvalidApiKeyAndClose4401()
    {
        var server = await StartTodoforaiAsync();
        using var socket = RawEdgeClient.CreateSocket(apiKey: null, subprotocol: "wrong-key");
        using var cancel = new CancellationTokenSource(RawEdgeClient.Timeout);

        // ClientWebSocket, like the Bun client's library, fails the handshake unless the offer is echoed.
        await socket.ConnectAsync(RawEdgeClient.EdgeUri(server, "m"), cancel.Token);
        Assert.Equal("wrong-key", socket.SubProtocol);

        var error = await RawEdgeClient.ReceiveFrameAsync(socket);
        Assert.Equal(MessageTypes.ErrorUpperCase, error.Message.Type);
        Assert.Equal("Invalid API key", error.Payload.GetProperty("message").GetString());
        Assert.Equal(ErrorCodes.Unauthorized, error.Payload.GetProperty("code").GetString());
        var buffer = new byte[1024];
        var close = await socket.ReceiveAsync(buffer, cancel.Token);
        Assert.Equal(WebSocketMessageType.Close, close.MessageType);
        Assert.Equal(4401, (int?)close.CloseStatus);
        Assert.Equal("Invalid API key", close.CloseStatusDescription);
        Assert.Empty((await server.GetStatusAsync()).Edges);
    }

    [Fact]
    public async Task UnparsableFrame_LowercaseErrorNotTheFatalUppercaseOne()
    {
        var server = await StartTodoforaiAsync();
        var client = await ConnectLikeTheClientAsync(server);

        await client.SendTextAsync("not json");

        var error = await client.ReceiveAsync();
        Assert.Equal(MessageTypes.Error, error.Message.Type);
        Assert.Equal(ErrorCodes.MalformedMessage, error.Payload.GetProperty("code").GetString());
    }

    [Fact]
    public async Task FuzzedPathOnlyFrames_OverlappingRoots_EachOneLowercaseLineNothingOutsideTheMirror()
    {
        var outer = EdgeWorkspace("proj");
        var inner = Path.Combine(outer, "inner");
        var server = await StartTodoforaiAsync(outer, inner);
        var client = await ConnectLikeTheClientAsync(server);
        await client.ReceiveAsync(MessageTypes.ConfigUpdate);
        string[] prefixes = [outer, inner, outer + "-x", "/elsewhere", "", "C:"];
        string[] segments =
        [
            "a",
            "..",
            ".",
            "",
            "b.txt",
            "inner",
            "\\",
            "..\\..",
            "\0x",
            new string('n', 300),
            "é",
        ];
        var random = new Random(27);
        var refusalsExpected = 0;

        for (var i = 0; i < 300; i++)
        {
            var parts = Enumerable
                .Range(0, random.Next(1, 5))
                .Select(_ => segments[random.Next(segments.Length)]);
            var path = prefixes[random.Next(prefixes.Length)] + "/" + string.Join('/', parts);
            await client.SendTextAsync(
                EdgeMessages.PathOnly(MessageTypes.FileCreateSync, path, "fuzz", client.EdgeId)
            );
            refusalsExpected++;
        }
        await client.SendTextAsync("not json: the end marker");

        var refusals = 0;
        while (true)
        {
            var frame = await client.ReceiveAsync();
            Assert.Equal(MessageTypes.Error, frame.Message.Type);
            Assert.DoesNotContain('\n', frame.Payload.GetProperty("message").GetString()!);
            if (frame.Payload.GetProperty("code").GetString() == ErrorCodes.MalformedMessage)
            {
                break;
            }
            refusals++;
        }
        Assert.InRange(refusals, 1, refusalsExpected);
        Assert.All(
            Sandbox.AllFiles(),
            f =>
                Assert.True(
                    f.StartsWith("mirror/proj/", StringComparison.Ordinal)
                        || f.StartsWith("mirror/inner/", StringComparison.Ordinal),
                    f
                )
        );
        await client.SendTextAsync(
            EdgeMessages.PathOnly(
                MessageTypes.FileCreateSync,
                Path.Combine(inner, "alive.txt"),
                "alive",
                client.EdgeId
            )
        );
        await Wait.UntilAsync(
            () => File.Exists(Sandbox.MirrorPath("inner", "alive.txt")),
            "the connection still syncing after the fuzzed frames"
        );
    }

    [Fact]
    public async Task ConfigUpdateCommandWithUnusablePaths_ForwardedAndItsUsablePathsBecomeRoots()
    {
        var root = EdgeWorkspace("later", ("a.txt", "alpha"));
        var server = await StartTodoforaiAsync();
        var client = await ConnectLikeTheClientAsync(server);

        var status = await server.TrySendCommandAsync(
            client.EdgeId,
            "{\"type\":\"edge:config_update\",\"payload\":{\"workspacepaths\":[\"\",\"\\ud800\",7,\"relative\","
                + System.Text.Json.JsonSerializer.Serialize(root)
                + "]}}"
        );

        Assert.Equal(HttpStatusCode.Accepted, status);
        await client.ReceiveAsync(MessageTypes.ConfigUpdate);
        await client.SendTextAsync(
            EdgeMessages.PathOnly(
                MessageTypes.FileCreateSync,
                Path.Combine(root, "a.txt"),
                "alpha",
                client.EdgeId
            )
        );
        await MirrorAssert.MirrorsAsync(root, Sandbox.MirrorPath("later", ""));
    }
}
