using System.Diagnostics;
using System.Text;
using System.Text.Json;
using FileSync.Edge.Control;
using FileSync.Edge.Tests.Infrastructure;
using FileSync.Edge.Uplink;
using FileSync.Edge.Workspace;
using FileSync.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FileSync.Edge.Tests.Control;

/// <summary>
/// The control stage without a socket: commands are handed to <see cref="ControlDispatcher.DispatchAsync"/>
/// and replies are read from a recording uplink. Workspaces are real folders with real managers
/// (fake watchers), so reads, listings and starts/stops are real.
/// </summary>
public sealed class ControlDispatcherTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly string[] ReplyTypes =
    [
        MessageTypes.Error,
        MessageTypes.SyncError,
        MessageTypes.ChunkResult,
        MessageTypes.WorkspaceResult,
        MessageTypes.EdgeStatus,
    ];

    private readonly TempDirectory _scratch = new();
    private readonly RecordingUplink _uplink = new();
    private readonly MemoryWorkspaceStore _store = new();
    private readonly List<WorkspaceRegistry> _registries = [];
    private LogSink _logs = null!;
    private ILoggerFactory _loggerFactory = null!;
    private WorkspaceRegistry _registry = null!;
    private ControlDispatcher _dispatcher = null!;
    private string _a = "";
    private string _b = "";
    private string _outside = "";

    public async Task InitializeAsync()
    {
        _a = Path.Combine(_scratch.Path, "ws-a");
        _b = Path.Combine(_scratch.Path, "ws-b");
        _outside = Path.Combine(_scratch.Path, "outside");
        _scratch.Write("ws-a/hello.txt", "hello");
        _scratch.Write("ws-a/sub/deep.txt", "deep");
        _scratch.Write("ws-a/.gitignore", ".env\n");
        _scratch.Write("ws-a/.env", "SECRET=1");
        File.WriteAllBytes(Path.Combine(_a, "latin1.txt"), [0x63, 0x61, 0x66, 0xE9]);
        File.WriteAllBytes(Path.Combine(_a, "bin.dat"), [1, 0, 2]);
        File.WriteAllText(Path.Combine(_a, "big.txt"), new string('x', 1001));
        _scratch.Write("ws-b/b.txt", "b");
        _scratch.Write("outside/canary.txt", "never read");
        _logs = new LogSink(output);
        _loggerFactory = LoggerFactory.Create(builder =>
            builder.SetMinimumLevel(LogLevel.Trace).AddProvider(_logs)
        );
        (_registry, _dispatcher) = Create(new SyncOptions { MaxFileBytes = 1000 });
        _uplink.Connect();
        var (workspace, rejection) = await _registry.AddAsync(_a);
        Assert.True(workspace is not null, rejection?.Message);
        await workspace.InitialSyncCompleted.WaitAsync(Wait.Generous);
    }

    public async Task DisposeAsync()
    {
        foreach (var registry in _registries)
        {
            await registry.DisposeAsync();
        }
        _loggerFactory.Dispose();
        _scratch.Dispose();
    }

    private (WorkspaceRegistry Registry, ControlDispatcher Dispatcher) Create(SyncOptions options)
    {
        options.BatchMilliseconds = 20;
        options.SettleMilliseconds = 0;
        options.RescanMinutes = 0;
        var registry = new WorkspaceRegistry(
            Options.Create(options),
            _uplink,
            new FakeWorkspaceWatcherFactory(),
            TimeProvider.System,
            _loggerFactory
        );
        _registries.Add(registry);
        var dispatcher = new ControlDispatcher(
            _uplink,
            registry,
            Options.Create(options),
            Options.Create(new ControlOptions { AllowedRoots = [_scratch.Path] }),
            TimeProvider.System,
            _loggerFactory.CreateLogger<ControlDispatcher>(),
            _store
        );
        return (registry, dispatcher);
    }

    /// <summary>Parses <paramref name="json"/> as the uplink would, dispatches it and returns the replies it caused.</summary>
    private async Task<List<ProtocolMessage>> SendAsync(
        string json,
        ControlDispatcher? dispatcher = null
    )
    {
        var before = _uplink.Sent.Count;
        var message = ProtocolMessage.TryParse(
            Encoding.UTF8.GetBytes(json),
            out var parsed,
            out var error
        )
            ? parsed
            : ProtocolMessage.Malformed(error);
        await (dispatcher ?? _dispatcher).DispatchAsync(message).WaitAsync(Wait.Generous);
        return [.. _uplink.Sent.Skip(before).Where(m => ReplyTypes.Contains(m.Type))];
    }

    private static string Quote(string value) => "\"" + JsonEncodedText.Encode(value) + "\"";

    private static string Command(string type, string payload) =>
        $$"""{"type":"{{type}}","payload":{{payload}}}""";

    private static string PathCommand(string type, string path) =>
        Command(type, $$"""{"path":{{Quote(path)}}}""");

    private static string ChunkRequest(string path, string requestId = "r1") =>
        Command(
            MessageTypes.ChunkRequest,
            $$"""{"path":{{Quote(path)}},"requestId":{{Quote(requestId)}}}"""
        );

    private static string? Text(ProtocolMessage message, string property) =>
        message.Payload.TryGetProperty(property, out var value)
        && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private IReadOnlyList<string> ActiveRoots => [.. _registry.Workspaces.Select(w => w.RootPath)];

    [Fact]
    public async Task Dispatch_MalformedFramePlaceholder_OneMalformedMessageError()
    {
        var replies = await SendAsync("{\"type\": ");

        var error = Assert.Single(replies);
        Assert.Equal(MessageTypes.Error, error.Type);
        Assert.Equal(ErrorCodes.MalformedMessage, Text(error, "code"));
        Assert.Contains("not valid JSON", Text(error, "message"));
        Assert.Single(_logs.Entries, e => e.EventId.Id == 401);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("")]
    [InlineData("[1,2]")]
    [InlineData("{}")]
    [InlineData("""{"type":42,"payload":{}}""")]
    [InlineData("""{"type":"file:chunk_request","payload":[1]}""")]
    [InlineData("""{"type":"file:chunk_request","payload":"x"}""")]
    [InlineData("""{"type":"\ud800","payload":{}}""")]
    public async Task Dispatch_EnvelopeNotAcceptable_OneMalformedMessageError(string frame)
    {
        var replies = await SendAsync(frame);

        var error = Assert.Single(replies);
        Assert.Equal(MessageTypes.Error, error.Type);
        Assert.Equal(ErrorCodes.MalformedMessage, Text(error, "code"));
    }

    [Fact]
    public async Task Dispatch_NestedDeeperThanTheParserAllows_OneMalformedMessageError()
    {
        var frame = Command(
            MessageTypes.ChunkRequest,
            string.Concat(Enumerable.Repeat("{\"a\":", 40)) + "1" + new string('}', 40)
        );

        var error = Assert.Single(await SendAsync(frame));

        Assert.Equal(ErrorCodes.MalformedMessage, Text(error, "code"));
    }

    [Theory]
    [InlineData("""{"type":"file:chunk_request","payload":{"path":42,"requestId":"r1"}}""", "r1")]
    [InlineData("""{"type":"file:chunk_request","payload":{"path":"/x","requestId":7}}""", null)]
    [InlineData(
        """{"type":"file:chunk_request","payload":{"path":"\ud800","requestId":"r2"}}""",
        "r2"
    )]
    [InlineData("""{"type":"file:chunk_request"}""", null)]
    [InlineData("""{"type":"file:chunk_request","payload":null}""", null)]
    [InlineData("""{"type":"edge:config_update","payload":{"workspacepaths":"/a"}}""", null)]
    [InlineData("""{"type":"edge:config_update","payload":{"workspacepaths":[1,2]}}""", null)]
    [InlineData("""{"type":"edge:config_update","payload":{}}""", null)]
    [InlineData("""{"type":"workspace:sync_start","payload":{"path":{"x":1}}}""", null)]
    [InlineData("""{"type":"workspace:sync_start","payload":{"path":"/a","path":5}}""", null)]
    [InlineData("""{"type":"workspace:sync_stop","payload":{}}""", null)]
    [InlineData("""{"type":"workspace:resync","payload":{"path":""}}""", null)]
    [InlineData("""{"type":"workspace:manifest_diff","payload":{"path":"/a","need":"x"}}""", null)]
    [InlineData("""{"type":"ctx:workspace_request","payload":{"requestId":["r"]}}""", null)]
    [InlineData("""{"type":"ctx:workspace_request","payload":{"requestId":1e400}}""", null)]
    public async Task Dispatch_PayloadOfWrongShape_OneInvalidPayloadErrorNamingTheCommand(
        string frame,
        string? requestId
    )
    {
        var type = JsonDocument.Parse(frame).RootElement.GetProperty("type").GetString();
        var activeBefore = ActiveRoots;

        var replies = await SendAsync(frame);

        var error = Assert.Single(replies);
        Assert.Equal(MessageTypes.Error, error.Type);
        Assert.Equal(ErrorCodes.InvalidPayload, Text(error, "code"));
        Assert.Equal(type, Text(error, "command"));
        Assert.Equal(requestId, Text(error, "requestId"));
        Assert.False(string.IsNullOrWhiteSpace(Text(error, "message")));
        Assert.Equal(activeBefore, ActiveRoots);
    }

    [Fact]
    public async Task Dispatch_RequestIdTooLong_InvalidPayloadWithoutEcho()
    {
        var error = Assert.Single(
            await SendAsync(ChunkRequest(Path.Combine(_a, "hello.txt"), new string('r', 300)))
        );

        Assert.Equal(ErrorCodes.InvalidPayload, Text(error, "code"));
        Assert.Null(Text(error, "requestId"));
        Assert.True(error.Payload.ToString().Length < 300);
    }

    [Fact]
    public async Task Dispatch_UnknownType_NoReplyAndOneDebugLine()
    {
        var replies = await SendAsync(Command("nope:what\\never", "{}"));

        Assert.Empty(replies);
        var line = Assert.Single(_logs.Entries, e => e.EventId.Id == 400);
        Assert.Equal(LogLevel.Debug, line.Level);
        Assert.DoesNotContain("\n", line.Message);
    }

    [Theory]
    [InlineData("hello.txt", ContentEncodings.Utf8, "hello")]
    [InlineData("sub/deep.txt", ContentEncodings.Utf8, "deep")]
    public async Task ChunkRequest_FileInWorkspace_ReturnsContent(
        string relative,
        string encoding,
        string content
    )
    {
        var path = Path.Combine(_a, relative);

        var result = Assert.Single(await SendAsync(ChunkRequest(path, "req-7")));

        Assert.Equal(MessageTypes.ChunkResult, result.Type);
        Assert.Equal("req-7", Text(result, "requestId"));
        Assert.Equal(path, Text(result, "path"));
        Assert.Equal(encoding, Text(result, "encoding"));
        Assert.Equal(content, Text(result, "content"));
        Assert.Null(Text(result, "error"));
    }

    [Theory]
    [InlineData("ws-a/bin.dat", ErrorCodes.Binary)]
    [InlineData("ws-a/big.txt", ErrorCodes.TooLarge)]
    [InlineData("ws-a/missing.txt", ErrorCodes.NotFound)]
    [InlineData("ws-a/latin1.txt", ErrorCodes.NotUtf8)]
    [InlineData("ws-a/.env", ErrorCodes.ForbiddenPath)]
    [InlineData("ws-a/../outside/canary.txt", ErrorCodes.ForbiddenPath)]
    [InlineData("outside/canary.txt", ErrorCodes.ForbiddenPath)]
    [InlineData("ws-b/b.txt", ErrorCodes.ForbiddenPath)]
    public async Task ChunkRequest_NotReadable_ChunkResultWithErrorAndNoContent(
        string path,
        string code
    )
    {
        var result = Assert.Single(
            await SendAsync(ChunkRequest(Path.Combine(_scratch.Path, path)))
        );

        Assert.Equal(MessageTypes.ChunkResult, result.Type);
        Assert.Equal("r1", Text(result, "requestId"));
        Assert.Equal(code, Text(result, "code"));
        Assert.False(string.IsNullOrWhiteSpace(Text(result, "error")));
        Assert.Null(Text(result, "content"));
    }

    [Fact]
    public async Task ChunkRequest_Folder_AnsweredWithItsFilteredListing()
    {
        var result = Assert.Single(await SendAsync(ChunkRequest(_a, "dir-1")));

        Assert.Equal(MessageTypes.ChunkResult, result.Type);
        Assert.Null(Text(result, "error"));
        var names = Text(result, "content")!.Split('\n');
        Assert.Contains("sub/", names);
        Assert.Contains("hello.txt", names);
        Assert.DoesNotContain(".env", names); // ignored by the workspace's .gitignore
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
        Assert.Equal(_a, Text(result, "full_path"));
    }

    [Fact]
    public void FileRequest_NotUtf8_Base64ForAServerWithCapabilitiesOnly()
    {
        var handler = new FileRequestHandler(
            _registry,
            1000,
            _loggerFactory.CreateLogger<FileRequestHandler>()
        );
        var request = Parse(
            Encoding.UTF8.GetBytes(ChunkRequest(Path.Combine(_a, "latin1.txt"), "b1"))
        );

        var withCapabilities = Parse(
            handler.Answer(
                request,
                MessageTypes.ChunkResult,
                new UplinkSession(1, "e", "u", ["manifest"], 0)
            )
        );
        var legacy = Parse(
            handler.Answer(
                request,
                MessageTypes.ChunkResult,
                new UplinkSession(2, "e", "u", null, 0)
            )
        );

        Assert.Equal("base64", Text(withCapabilities, "encoding"));
        Assert.Equal("Y2Fm6Q==", Text(withCapabilities, "content"));
        Assert.Equal(ErrorCodes.NotUtf8, Text(legacy, "code"));
        Assert.Null(Text(legacy, "content"));
    }

    private static ProtocolMessage Parse(byte[] frame) =>
        ProtocolMessage.TryParse(frame, out var message, out var error)
            ? message
            : throw new InvalidOperationException(error);

    [Fact]
    public void EchoingReply_RequestFieldWithALoneSurrogate_LeftOutAndTheReplyStillValid()
    {
        var request = Parse(
            Encoding.UTF8.GetBytes(
                """{"type":"file:chunk_request","payload":{"path":"/x","bad":"\ud800","todoId":"t1"}}"""
            )
        );

        var reply = Parse(
            EchoingReply.Serialize(
                MessageTypes.ChunkResult,
                request.Payload,
                new ChunkResultPayload { RequestId = "r", Error = "e" }
            )
        );

        Assert.Equal("t1", Text(reply, "todoId"));
        Assert.Equal("/x", Text(reply, "path"));
        Assert.False(reply.Payload.TryGetProperty("bad", out _));
    }

    [Fact]
    public async Task ServerError_AboutAFileSync_IsNotAnsweredAndTheFileIsSentAgain()
    {
        var before = _uplink.Sent.Count;
        var error = Command(
            MessageTypes.Error,
            $$"""{"message":"could not write the file: IOException","code":"write_failed","messageType":"{{MessageTypes.FileModifySync}}","path":{{Quote(Path.Combine(_a, "hello.txt"))}},"relativePath":"hello.txt"}"""
        );

        Assert.Empty(await SendAsync(error)); // an error is never answered with an error

        await Wait.UntilAsync(
            () =>
                _uplink
                    .Sent.Skip(before)
                    .Any(m =>
                        m.Type == MessageTypes.FileModifySync
                        && m.Payload.GetProperty("relativePath").GetString() == "hello.txt"
                    ),
            Wait.Generous,
            () => "hello.txt sent again"
        );
        Assert.Contains(
            _logs.Entries,
            e =>
                e.EventId.Name == "ServerRejectedFile"
                && e.Message.Contains("hello.txt", StringComparison.Ordinal)
        );
    }

    [Fact]
    public async Task ServerError_AboutSomethingElse_LoggedOnly()
    {
        var before = _uplink.Sent.Count;
        var replies = await SendAsync(
            Command(
                MessageTypes.Error,
                """{"message":"unknown workspace","code":"not_found","messageType":"workspace:file_done","path":"/nowhere"}"""
            )
        );
        Assert.Empty(replies);
        Assert.Contains(
            _logs.Entries,
            e =>
                e.EventId.Id == 407
                && e.Message.Contains("unknown workspace", StringComparison.Ordinal)
        );
        Assert.Equal(before, _uplink.Sent.Count);
    }

    [Fact]
    public async Task ChunkRequest_NamedPipe_AnsweredWithoutOpeningIt()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        var fifo = Path.Combine(_a, "pipe");
        using (var mkfifo = Process.Start("mkfifo", fifo))
        {
            await mkfifo.WaitForExitAsync().WaitAsync(Wait.Generous);
        }
        // Opening a FIFO for reading blocks until a writer comes: a dispatcher that opens it never answers.
        var dispatch = SendAsync(ChunkRequest(fifo));
        try
        {
            var result = Assert.Single(await dispatch.WaitAsync(TimeSpan.FromSeconds(10)));
            Assert.Equal("not a regular file", Text(result, "error"));
        }
        finally
        {
            if (!dispatch.IsCompleted)
            {
                await File.WriteAllTextAsync(fifo, "unblock"); // Let the stuck reader go before the folder is deleted.
            }
        }
    }

    [Fact]
    public async Task ConfigUpdate_MixedPaths_StartsAndStopsToMatchAndRefusesEachBadPath()
    {
        var toRoot = Path.Combine(_scratch.Path, "to-root");
        Directory.CreateSymbolicLink(toRoot, "/");
        var missing = Path.Combine(_scratch.Path, "missing");
        var paths = new[]
        {
            _b,
            missing,
            "relative/dir",
            "/",
            toRoot,
            _b,
            Path.Combine(_a, "..", "ws-b"),
        };

        var replies = await SendAsync(
            Command(
                MessageTypes.ConfigUpdate,
                $$"""{"workspacepaths":[{{string.Join(",", paths.Select(Quote))}}]}"""
            )
        );

        Assert.Equal([_b], ActiveRoots);
        Assert.All(replies, r => Assert.Equal(MessageTypes.SyncError, r.Type));
        Assert.Equal(
            new (string?, string?)[]
            {
                (missing, ErrorCodes.NotFound),
                ("relative/dir", ErrorCodes.ForbiddenPath),
                ("/", ErrorCodes.ForbiddenPath),
                (toRoot, ErrorCodes.ForbiddenPath),
            },
            replies.Select(r => (Text(r, "path"), Text(r, "code"))).ToArray()
        );
        Assert.Equal([_b], _store.Saved);
    }

    [Fact]
    public async Task ConfigUpdate_TooManyPaths_OneErrorAndNothingChanged()
    {
        var paths = Enumerable
            .Range(0, ControlDispatcher.MaxWorkspacesPerUpdate + 1)
            .Select(i => Quote($"/nowhere/{i}"));

        var replies = await SendAsync(
            Command(
                MessageTypes.ConfigUpdate,
                $$"""{"workspacepaths":[{{string.Join(",", paths)}}]}"""
            )
        );

        var error = Assert.Single(replies);
        Assert.Equal(ErrorCodes.InvalidPayload, Text(error, "code"));
        Assert.Equal([_a], ActiveRoots);
        Assert.Equal(0, _store.Saves);
    }

    [Fact]
    public async Task SyncStart_LinkToAFolder_StartsTheRealFolderAndRemembersIt()
    {
        var alias = Path.Combine(_scratch.Path, "alias-b");
        Directory.CreateSymbolicLink(alias, _b);

        var replies = await SendAsync(PathCommand(MessageTypes.SyncStart, alias));

        Assert.Empty(replies);
        Assert.Equal([_a, _b], ActiveRoots);
        Assert.Equal([_b], _store.Saved);
        Assert.Empty(await SendAsync(PathCommand(MessageTypes.SyncStart, _b)));
        Assert.Equal([_a, _b], ActiveRoots);
        Assert.Equal(1, _store.Saves);
    }

    public static TheoryData<string, string> RefusedRoots =>
        new()
        {
            { "/", ErrorCodes.ForbiddenPath },
            { "TO-ROOT", ErrorCodes.ForbiddenPath },
            { "relative/dir", ErrorCodes.ForbiddenPath },
            { "\\\\server\\share", ErrorCodes.ForbiddenPath },
            { "MISSING", ErrorCodes.NotFound },
            { "FILE", ErrorCodes.ForbiddenPath },
            { "INSIDE-A", ErrorCodes.ForbiddenPath },
            { "TEMP", ErrorCodes.ForbiddenPath },
        };

    [Theory]
    [MemberData(nameof(RefusedRoots))]
    public async Task SyncStart_RefusedRoot_OneSyncErrorAndNothingStarted(string path, string code)
    {
        Directory.CreateSymbolicLink(Path.Combine(_scratch.Path, "to-root"), "/");
        path = path switch
        {
            "TO-ROOT" => Path.Combine(_scratch.Path, "to-root"),
            "MISSING" => Path.Combine(_scratch.Path, "missing"),
            "FILE" => Path.Combine(_outside, "canary.txt"),
            "INSIDE-A" => Path.Combine(_a, "sub"),
            "TEMP" => Path.Combine(_scratch.Path, ".."),
            _ => path,
        };

        var replies = await SendAsync(PathCommand(MessageTypes.SyncStart, path));

        var error = Assert.Single(replies);
        Assert.Equal(MessageTypes.SyncError, error.Type);
        Assert.Equal(code, Text(error, "code"));
        Assert.Equal([_a], ActiveRoots);
        Assert.Equal(0, _store.Saves);
    }

    [Fact]
    public async Task SyncStop_ActiveWorkspace_StoppedAndForgotten()
    {
        _store.Saved = [_a, _b];

        var replies = await SendAsync(PathCommand(MessageTypes.SyncStop, _a + "/"));

        Assert.Empty(replies);
        Assert.Empty(ActiveRoots);
        Assert.Equal([_b], _store.Saved);
    }

    [Fact]
    public async Task SyncStop_NotActive_NotFoundSyncError()
    {
        var replies = await SendAsync(PathCommand(MessageTypes.SyncStop, _b));

        var error = Assert.Single(replies);
        Assert.Equal(ErrorCodes.NotFound, Text(error, "code"));
        Assert.Equal([_a], ActiveRoots);
    }

    [Fact]
    public async Task SyncStop_RememberedButNotRunning_ForgottenWithoutError()
    {
        _store.Saved = [_b];

        var replies = await SendAsync(PathCommand(MessageTypes.SyncStop, _b));

        Assert.Empty(replies);
        Assert.Empty(_store.Saved);
    }

    [Fact]
    public async Task Resync_ActiveWorkspace_RunsAFullSyncAgain()
    {
        var doneBefore = _uplink.OfType(MessageTypes.FileDone).Count;
        var sentBefore = _uplink.Sent.Count;

        var replies = await SendAsync(PathCommand(MessageTypes.Resync, _a));

        Assert.Empty(replies);
        await Wait.UntilAsync(
            () => _uplink.OfType(MessageTypes.FileDone).Count > doneBefore,
            Wait.Generous,
            () => "a second file_done"
        );
        Assert.Contains(
            _uplink.Sent.Skip(sentBefore),
            m => m.Type == MessageTypes.FileCreateSync && Text(m, "relativePath") == "hello.txt"
        );
    }

    [Theory]
    [InlineData("ws-b")]
    [InlineData("ws-a/sub")]
    [InlineData("relative")]
    public async Task Resync_NotAnActiveWorkspace_OneSyncError(string path)
    {
        var replies = await SendAsync(
            PathCommand(
                MessageTypes.Resync,
                path == "relative" ? path : Path.Combine(_scratch.Path, path)
            )
        );

        var error = Assert.Single(replies);
        Assert.Equal(MessageTypes.SyncError, error.Type);
    }

    [Fact]
    public async Task WorkspaceRequest_ActiveWorkspace_ReturnsFilteredSortedList()
    {
        var result = Assert.Single(
            await SendAsync(
                Command(
                    MessageTypes.WorkspaceRequest,
                    $$"""{"path":{{Quote(_a)}},"requestId":"w1"}"""
                )
            )
        );

        Assert.Equal(MessageTypes.WorkspaceResult, result.Type);
        Assert.Equal("w1", Text(result, "requestId"));
        Assert.Equal(_a, Text(result, "path"));
        Assert.Equal(
            [".gitignore", "bin.dat", "hello.txt", "latin1.txt", "sub/deep.txt"],
            result.Payload.GetProperty("files").EnumerateArray().Select(f => f.GetString())
        );
    }

    [Fact]
    public async Task WorkspaceRequest_UnknownPath_ResultWithNotFound()
    {
        var result = Assert.Single(
            await SendAsync(
                Command(
                    MessageTypes.WorkspaceRequest,
                    $$"""{"path":{{Quote(_outside)}},"requestId":"w2"}"""
                )
            )
        );

        Assert.Equal(ErrorCodes.NotFound, Text(result, "code"));
        Assert.False(result.Payload.TryGetProperty("files", out _));
    }

    [Fact]
    public async Task WorkspaceRequest_WorkspaceOverTheFileLimit_TooManyFilesWithoutAList()
    {
        var (registry, dispatcher) = Create(new SyncOptions { MaxFiles = 2 });
        var (workspace, _) = await registry.AddAsync(_b);
        _scratch.Write("ws-b/c.txt", "c");
        _scratch.Write("ws-b/d.txt", "d");
        workspace!.RequestRescan();
        await Wait.UntilAsync(
            () => workspace.State == WorkspaceState.Refused,
            Wait.Generous,
            () => $"workspace refused, state {workspace.State}"
        );

        var result = Assert.Single(
            await SendAsync(
                Command(MessageTypes.WorkspaceRequest, $$"""{"path":{{Quote(_b)}}}"""),
                dispatcher
            )
        );

        Assert.Equal(ErrorCodes.TooManyFiles, Text(result, "code"));
        Assert.False(result.Payload.TryGetProperty("files", out _));
    }

    [Fact]
    public async Task StatusRequest_Connected_ReturnsWorkspacesVersionAndUptime()
    {
        var status = Assert.Single(
            await SendAsync(Command(MessageTypes.StatusRequest, """{"requestId":"s1"}"""))
        );

        Assert.Equal(MessageTypes.EdgeStatus, status.Type);
        Assert.Equal("s1", Text(status, "requestId"));
        Assert.Equal("edge-test", Text(status, "edgeId"));
        Assert.StartsWith("0.1.0", Text(status, "version"));
        Assert.True(status.Payload.GetProperty("connectedSeconds").GetDouble() >= 0);
        var workspace = Assert.Single(status.Payload.GetProperty("workspaces").EnumerateArray());
        Assert.Equal(_a, workspace.GetProperty("path").GetString());
        Assert.Equal("watching", workspace.GetProperty("state").GetString());
        // latin1.txt is skipped: this (legacy) server stores text only.
        Assert.Equal(3, workspace.GetProperty("files").GetInt32());
        Assert.Equal(3, workspace.GetProperty("skipped").GetInt32());
        Assert.Equal(5 + 4 + 5, workspace.GetProperty("bytes").GetInt64());
    }

    [Fact]
    public async Task StatusRequest_NoPayload_StillAnswered()
    {
        var status = Assert.Single(await SendAsync("""{"type":"edge:status_request"}"""));

        Assert.Equal(MessageTypes.EdgeStatus, status.Type);
        Assert.Null(Text(status, "requestId"));
    }

    [Fact]
    public async Task SyncStart_StoreCannotBeWritten_StartedAndOneWarning()
    {
        _store.Fail = true;

        var replies = await SendAsync(PathCommand(MessageTypes.SyncStart, _b));

        Assert.Empty(replies);
        Assert.Equal([_a, _b], ActiveRoots);
        var warning = Assert.Single(_logs.Entries, e => e.EventId.Id == 406);
        Assert.Equal(LogLevel.Warning, warning.Level);
    }

    /// <summary>An in-memory <see cref="IWorkspaceListStore"/>.</summary>
    private sealed class MemoryWorkspaceStore : IWorkspaceListStore
    {
        public List<string> Saved { get; set; } = [];

        public int Saves { get; private set; }

        public bool Fail { get; set; }

        public IReadOnlyList<string> Load() =>
            Fail ? throw new IOException("disk full") : [.. Saved];

        public void Save(IReadOnlyList<string> workspaces)
        {
            if (Fail)
            {
                throw new IOException("disk full");
            }
            Saved = [.. workspaces];
            Saves++;
        }
    }
}
