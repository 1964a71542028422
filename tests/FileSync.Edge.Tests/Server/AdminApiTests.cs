using System.Net;
using System.Text.Json;
using FileSync.Protocol;
using Xunit.Abstractions;

namespace FileSync.Edge.Tests.Server;

public sealed class AdminApiTests(ITestOutputHelper output) : ServerTestBase(output)
{
    [Fact]
    public async Task Commands_ConnectedEdge_ForwardedVerbatimAsTextFrame()
    {
        var server = await StartServerAsync();
        var client = await ConnectAsync(server);
        const string command =
            """{"type":"file:chunk_request","payload":{"path":"/home/dev/proj/a.txt","requestId":"r-1"},"extra":[1,2]}""";

        await server.SendCommandAsync(client.EdgeId, command);

        var frame = await client.ReceiveAsync(MessageTypes.ChunkRequest);
        Assert.Equal(command, frame.Text);
    }

    [Fact]
    public async Task Commands_SeveralConcurrent_AllArriveIntact()
    {
        var server = await StartServerAsync();
        var client = await ConnectAsync(server);

        await Task.WhenAll(
            Enumerable
                .Range(0, 20)
                .Select(i =>
                    server.SendCommandAsync(
                        client.EdgeId,
                        $$$"""{"type":"workspace:resync","payload":{"path":"/p{{{i}}}"}}"""
                    )
                )
        );

        var paths = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            paths.Add(
                (await client.ReceiveAsync(MessageTypes.Resync))
                    .Payload.GetProperty("path")
                    .GetString()!
            );
        }
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"/p{i}").Order(), paths.Order());
    }

    [Fact]
    public async Task Commands_UnknownEdge_Returns404()
    {
        var server = await StartServerAsync();

        var status = await server.TrySendCommandAsync(
            "edge-000000000000",
            """{"type":"edge:status_request","payload":{}}"""
        );

        Assert.Equal(HttpStatusCode.NotFound, status);
    }

    [Fact]
    public async Task Commands_EdgeDisconnected_Returns404()
    {
        var server = await StartServerAsync();
        var client = await ConnectAsync(server);
        await client.DisposeAsync();
        await Wait.UntilAsync(server.GetStatusAsync, s => s.Edges.Count == 0, "edge gone");

        var status = await server.TrySendCommandAsync(
            client.EdgeId,
            """{"type":"edge:status_request","payload":{}}"""
        );

        Assert.Equal(HttpStatusCode.NotFound, status);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("\"edge:status_request\"")]
    [InlineData("{}")]
    [InlineData("""{"type":5,"payload":{}}""")]
    [InlineData("""{"type":null}""")]
    [InlineData("""{"type":"\ud800","payload":{}}""")]
    public async Task Commands_BodyNotAnObjectWithStringType_Returns400AndSendsNothing(string body)
    {
        var server = await StartServerAsync();
        var client = await ConnectAsync(server);

        var status = await server.TrySendCommandAsync(client.EdgeId, body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        await server.SendCommandAsync(client.EdgeId, """{"type":"probe"}""");
        Assert.Equal("probe", (await client.ReceiveAsync()).Message.Type);
    }

    [Fact]
    public async Task Replies_NonSyncMessages_ListedOldestFirstWithPayloadAndTime()
    {
        var server = await StartServerAsync();
        var client = await ConnectAsync(server);
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);

        await client.SendTextAsync(
            """{"type":"workspace:sync_error","payload":{"path":"/w","code":"too_many_files","message":"m","count":3,"limit":2}}"""
        );
        await client.SendTextAsync(
            """{"type":"file:chunk_result","payload":{"requestId":"r1","path":"/w/a","content":"abc"}}"""
        );
        await client.SendTextAsync(
            """{"type":"edge:status","payload":{"version":"1","workspaces":[]}}"""
        );
        await client.SendTextAsync("""{"type":"ctx:workspace_result","payload":{}}""");
        await client.SendTextAsync("""{"type":"error","payload":{"message":"boom","code":"x"}}""");
        await client.SendTextAsync("""{"type":"some:future_type"}""");
        await client.SendTextAsync(EdgeMessages.Create("a.txt", "sync messages are not replies"));

        var replies = await Wait.UntilAsync(
            () => server.GetRepliesAsync(client.EdgeId),
            r => r.Count >= 6,
            "six replies recorded"
        );
        Assert.Equal(
            [
                MessageTypes.SyncError,
                MessageTypes.ChunkResult,
                MessageTypes.EdgeStatus,
                MessageTypes.WorkspaceResult,
                MessageTypes.Error,
                "some:future_type",
            ],
            replies.Select(r => r.Type)
        );
        Assert.Equal("too_many_files", replies[0].Payload.GetProperty("code").GetString());
        Assert.Equal("abc", replies[1].Payload.GetProperty("content").GetString());
        Assert.Equal(JsonValueKind.Null, replies[5].Payload.ValueKind);
        Assert.All(
            replies,
            r => Assert.InRange(r.ReceivedAt, before, DateTimeOffset.UtcNow.AddSeconds(5))
        );
        await WaitForWorkspaceAsync(server, w => w.Files == 1, "sync message applied");
        Assert.Equal(6, (await server.GetRepliesAsync(client.EdgeId)).Count);
    }

    [Fact]
    public async Task Replies_UnknownEdge_EmptyArray()
    {
        var server = await StartServerAsync();

        Assert.Empty(await server.GetRepliesAsync("edge-nobody"));
    }

    [Fact]
    public async Task Replies_KeptAfterEdgeReconnects()
    {
        var server = await StartServerAsync();
        var first = await ConnectAsync(server, fingerprint: "m");
        await first.SendTextAsync("""{"type":"edge:status","payload":{"n":1}}""");
        await Wait.UntilAsync(
            async () => (await server.GetRepliesAsync(first.EdgeId)).Count == 1,
            "first reply"
        );

        var second = await ConnectAsync(server, fingerprint: "m");
        await second.SendTextAsync("""{"type":"edge:status","payload":{"n":2}}""");

        var replies = await Wait.UntilAsync(
            () => server.GetRepliesAsync(second.EdgeId),
            r => r.Count == 2,
            "both replies"
        );
        Assert.Equal([1, 2], replies.Select(r => r.Payload.GetProperty("n").GetInt32()));
    }

    [Fact]
    public async Task CommandRoundTrip_StatusRequest_ReplyVisibleThroughApi()
    {
        var server = await StartServerAsync();
        var client = await ConnectAsync(server);

        await server.SendCommandAsync(
            client.EdgeId,
            """{"type":"edge:status_request","payload":{"requestId":"q1"}}"""
        );
        var request = await client.ReceiveAsync(MessageTypes.StatusRequest);
        var requestId = request.Payload.GetProperty("requestId").GetString();
        await client.SendTextAsync(
            $$$"""{"type":"edge:status","payload":{"requestId":"{{{requestId}}}","version":"0.1.0","workspaces":[]}}"""
        );

        var replies = await Wait.UntilAsync(
            () => server.GetRepliesAsync(client.EdgeId),
            r => r.Count == 1,
            "status reply"
        );
        Assert.Equal("q1", replies[0].Payload.GetProperty("requestId").GetString());
    }
}
