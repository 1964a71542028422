using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using FileSync.Edge.Control;
using FileSync.Edge.Workspace;
using FileSync.Protocol;
using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Tests.Control;

/// <summary>
/// The router with a workspace running: one error for each frame or payload it cannot accept (checked
/// before any handler runs, the config_update size limit included), nothing for an unknown type, a
/// server error routed to the workspace it is about or only logged, and replies that echo what they may.
/// </summary>
public sealed class ControlDispatcherTests(ITestOutputHelper output)
    : ControlDispatcherFixture(output)
{
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
    public async Task NewWorkspace_IsFoundBeforeItSendsAnything_SoAnAnswerAtOnceReachesIt()
    {
        // A server answers a manifest within a round trip; if the registry listed the workspace only
        // after starting it, the answer found no workspace and the sync waited a minute for nothing.
        var (registry, _) = Create(new SyncOptions());
        var foundWhenSending = new ConcurrentQueue<bool>();
        _uplink.OnSent = _ => foundWhenSending.Enqueue(registry.Find(_b) is not null);

        var (workspace, rejection) = await registry.AddAsync(_b);
        Assert.True(workspace is not null, rejection?.Message);
        await workspace.InitialSyncCompleted.WaitAsync(Wait.Generous);

        Assert.NotEmpty(foundWhenSending);
        Assert.All(foundWhenSending, Assert.True);
    }
}
