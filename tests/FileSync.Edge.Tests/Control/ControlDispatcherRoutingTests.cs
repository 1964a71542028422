using System.Text;
using FileSync.Edge.Control;
using FileSync.Edge.Tests.Infrastructure;
using FileSync.Edge.Workspace;
using FileSync.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FileSync.Edge.Tests.Control;

/// <summary>
/// The router alone, with no workspace running: which message type reaches which handler, and the
/// exact one-line reply (type and payload as sent) to a frame or payload the agent cannot accept.
/// </summary>
public sealed class ControlDispatcherRoutingTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly RecordingUplink _uplink = new();
    private LogSink _logs = null!;
    private ILoggerFactory _loggerFactory = null!;
    private WorkspaceRegistry _registry = null!;
    private ControlDispatcher _dispatcher = null!;

    public Task InitializeAsync()
    {
        _logs = new LogSink(output);
        _loggerFactory = LoggerFactory.Create(builder =>
            builder.SetMinimumLevel(LogLevel.Trace).AddProvider(_logs)
        );
        (_registry, _dispatcher) = ControlStack.Create(
            _uplink,
            _loggerFactory,
            new SyncOptions { RescanMinutes = 0 }
        );
        _uplink.Connect();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _registry.DisposeAsync();
        _loggerFactory.Dispose();
    }

    /// <summary>Dispatches <paramref name="frame"/> as the uplink would hand it over; returns every reply as "type payload".</summary>
    private async Task<List<string>> DispatchAsync(string frame)
    {
        var message = ProtocolMessage.TryParse(
            Encoding.UTF8.GetBytes(frame),
            out var parsed,
            out var error
        )
            ? parsed
            : ProtocolMessage.Malformed(error);
        await _dispatcher.DispatchAsync(message).WaitAsync(Wait.Generous);
        return [.. _uplink.Sent.Select(m => $"{m.Type} {m.Payload.GetRawText()}")];
    }

    public static TheoryData<string, string> RefusedFrames =>
        new()
        {
            {
                "not json",
                """error {"message":"frame is not valid JSON: \u0027not json\u0027 is an invalid JSON literal. Expected the literal \u0027null\u0027. LineNumber: 0 | BytePositionInLine: 1.","code":"malformed_message"}"""
            },
            {
                """{"type":"workspace:sync_start","payload":{"path":{"x":1}}}""",
                """error {"message":"\u0027workspace:sync_start\u0027 payload is invalid: The JSON value could not be converted to FileSync.Protocol.WorkspacePathPayload. Path: $.path | LineNumber: 0 | BytePositionInLine: 9.","code":"invalid_payload","command":"workspace:sync_start"}"""
            },
            {
                """{"type":"workspace:sync_stop","payload":{}}""",
                """error {"message":"\u0027workspace:sync_stop\u0027 needs \u0027path\u0027 (an absolute path)","code":"invalid_payload","command":"workspace:sync_stop"}"""
            },
            {
                """{"type":"edge:config_update","payload":{}}""",
                """error {"message":"\u0027edge:config_update\u0027 needs \u0027workspacepaths\u0027 (an array of absolute paths)","code":"invalid_payload","command":"edge:config_update"}"""
            },
            {
                """{"type":"file:chunk_request","payload":{"path":"/x","requestId":"RRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRR"}}""",
                """error {"message":"\u0027requestId\u0027 is longer than 256 characters","code":"invalid_payload","command":"file:chunk_request"}"""
            },
            {
                """{"type":"workspace:sync_start","payload":{"path":"relative/dir"}}""",
                """workspace:sync_error {"path":"relative/dir","code":"forbidden_path","message":"workspace path is refused: path must be absolute","edgeId":"edge-test","userId":"user-test"}"""
            },
            {
                """{"type":"workspace:resync","payload":{"path":"/nowhere/at/all"}}""",
                """workspace:sync_error {"path":"/nowhere/at/all","code":"not_found","message":"\u0027/nowhere/at/all\u0027 is not an active workspace","edgeId":"edge-test","userId":"user-test"}"""
            },
            {
                """{"type":"workspace:sync_stop","payload":{"path":"/nowhere/at/all"}}""",
                """workspace:sync_error {"path":"/nowhere/at/all","code":"not_found","message":"\u0027/nowhere/at/all\u0027 is not an active workspace","edgeId":"edge-test","userId":"user-test"}"""
            },
            {
                """{"type":"ctx:workspace_request","payload":{"path":"/nowhere","requestId":"w1","todoId":"t"}}""",
                """ctx:workspace_result {"todoId":"t","requestId":"w1","path":"/nowhere","error":"not an active workspace","code":"not_found"}"""
            },
            {
                """{"type":"file:chunk_request","payload":{"path":"/nowhere/a.txt","requestId":"c1"}}""",
                """file:chunk_result {"requestId":"c1","path":"/nowhere/a.txt","full_path":"/nowhere/a.txt","error":"path is outside every active workspace","code":"forbidden_path"}"""
            },
        };

    [Theory]
    [MemberData(nameof(RefusedFrames))]
    public async Task Dispatch_RefusedFrameOrPayload_ExactlyTheOneReplyOfToday(
        string frame,
        string expected
    )
    {
        var reply = Assert.Single(await DispatchAsync(frame));

        Assert.Equal(expected, reply);
        Assert.DoesNotContain('\n', reply);
    }

    [Theory]
    [InlineData("""{"type":"nope:what","payload":{}}""")]
    [InlineData("""{"type":"workspace:file_create_sync","payload":{"path":"/x"}}""")]
    public async Task Dispatch_UnknownType_NoReplyAndOneDebugLine(string frame)
    {
        Assert.Empty(await DispatchAsync(frame));

        var line = Assert.Single(_logs.Entries, e => e.EventId.Id == 400);
        Assert.Equal(LogLevel.Debug, line.Level);
    }

    [Theory]
    [InlineData("""{"type":"error","payload":{"message":"boom","code":"x"}}""")]
    [InlineData("""{"type":"ERROR","payload":{"message":"boom"}}""")]
    [InlineData("""{"type":"error","payload":{"message":5}}""")]
    [InlineData(
        """{"type":"error","payload":{"message":"no","messageType":"workspace:file_modify_sync","path":"/nowhere/a.txt"}}"""
    )]
    public async Task Dispatch_ServerError_NeverAnsweredAndLoggedOnce(string frame)
    {
        Assert.Empty(await DispatchAsync(frame));

        Assert.Single(_logs.Entries, e => e.EventId.Id == 407);
    }

    [Theory]
    [InlineData("""{"type":"workspace:manifest_diff","payload":{"path":"/nowhere","need":[]}}""")]
    [InlineData("""{"type":"workspace:tree_request","payload":{"path":"relative"}}""")]
    public async Task Dispatch_ManifestAnswerForNoWorkspace_NoReplyAndOneDebugLine(string frame)
    {
        Assert.Empty(await DispatchAsync(frame));

        var line = Assert.Single(_logs.Entries, e => e.EventId.Id == 404);
        Assert.Equal(LogLevel.Debug, line.Level);
    }

    [Fact]
    public async Task Dispatch_StatusRequest_AnsweredByTheStatusWithTheRequestId()
    {
        var reply = Assert.Single(
            await DispatchAsync("""{"type":"edge:status_request","payload":{"requestId":"s1"}}""")
        );

        Assert.StartsWith(
            """edge:status {"requestId":"s1","edgeId":"edge-test","version":""",
            reply
        );
        Assert.EndsWith("\"workspaces\":[]}", reply);
    }
}
