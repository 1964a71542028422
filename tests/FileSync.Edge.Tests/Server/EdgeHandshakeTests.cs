using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using FileSync.Protocol;
using Xunit.Abstractions;

namespace FileSync.Edge.Tests.Server;

public sealed class EdgeHandshakeTests(ITestOutputHelper output) : ServerTestBase(output)
{
    [Fact]
    public async Task Connect_ManifestServer_SendsConnectedEdgeWithManifestCapability()
    {
        var server = await StartServerAsync();

        var client = await ConnectAsync(server, fingerprint: "machine-1");

        var payload = client.Hello.Payload;
        Assert.Matches("^edge-[0-9a-f]{12}$", payload.GetProperty("edgeId").GetString());
        Assert.Equal("local", payload.GetProperty("userId").GetString());
        var capabilities = payload
            .GetProperty("capabilities")
            .EnumerateArray()
            .Select(c => c.GetString())
            .ToList();
        Assert.Equal(
            [Capabilities.Manifest, Capabilities.ManifestTree, Capabilities.DoneAck],
            capabilities
        );
    }

    [Fact]
    public async Task Connect_LegacyServer_SendsNoCapabilitiesField()
    {
        var server = await StartServerAsync(legacy: true);

        var client = await ConnectAsync(server);

        Assert.False(client.Hello.Payload.TryGetProperty("capabilities", out _), client.Hello.Text);
        Assert.Equal("local", client.Hello.Payload.GetProperty("userId").GetString());
        var edge = Assert.Single((await server.GetStatusAsync()).Edges);
        Assert.Empty(edge.Capabilities);
    }

    [Fact]
    public async Task Connect_SameFingerprint_GetsSameEdgeIdAndDifferentFingerprintAnother()
    {
        var server = await StartServerAsync();

        var first = await ConnectAsync(server, fingerprint: "machine-a");
        var again = await ConnectAsync(server, fingerprint: "machine-a");
        var other = await ConnectAsync(server, fingerprint: "machine-b");

        Assert.Equal(first.EdgeId, again.EdgeId);
        Assert.NotEqual(first.EdgeId, other.EdgeId);
    }

    [Fact]
    public async Task Connect_WithoutFingerprint_GetsRandomEdgeId()
    {
        var server = await StartServerAsync();

        var first = await ConnectAsync(server, fingerprint: null);
        var second = await ConnectAsync(server, fingerprint: null);

        Assert.Matches("^edge-[0-9a-f]{12}$", first.EdgeId);
        Assert.NotEqual(first.EdgeId, second.EdgeId);
    }

    [Fact]
    public async Task Connect_SameEdgeAgain_ReplacesAndClosesPreviousSession()
    {
        var server = await StartServerAsync();
        var old = await ConnectAsync(server, fingerprint: "machine-a");

        var replacement = await ConnectAsync(server, fingerprint: "machine-a");

        Assert.Equal((WebSocketCloseStatus)4002, await old.WaitForCloseAsync());
        var status = await Wait.UntilAsync(
            server.GetStatusAsync,
            s => s.Edges.Count == 1,
            "only the replacement listed"
        );
        Assert.Equal(replacement.EdgeId, status.Edges[0].EdgeId);
        await server.SendCommandAsync(
            replacement.EdgeId,
            """{"type":"edge:status_request","payload":{"requestId":"r1"}}"""
        );
        await replacement.ReceiveAsync(MessageTypes.StatusRequest);
    }

    [Fact]
    public async Task Connect_WrongApiKey_Returns401WithoutUpgrade()
    {
        var server = await StartServerAsync(apiKey: "s3cret-key");
        using var socket = RawEdgeClient.CreateSocket(apiKey: "wrong-key");

        var ex = await Assert.ThrowsAsync<WebSocketException>(() =>
            socket.ConnectAsync(RawEdgeClient.EdgeUri(server, "m"), CancellationToken.None)
        );

        Assert.Equal(HttpStatusCode.Unauthorized, socket.HttpStatusCode);
        Assert.Equal(WebSocketError.NotAWebSocket, ex.WebSocketErrorCode);
        Assert.Empty((await server.GetStatusAsync()).Edges);
        Assert.DoesNotContain(
            server.Logs.Entries,
            e => e.Message.Contains("s3cret-key", StringComparison.Ordinal)
        );
        Assert.DoesNotContain(
            server.Logs.Entries,
            e => e.Message.Contains("wrong-key", StringComparison.Ordinal)
        );
    }

    [Fact]
    public async Task Connect_MissingApiKey_Returns401()
    {
        var server = await StartServerAsync(apiKey: "s3cret-key");
        using var socket = RawEdgeClient.CreateSocket(apiKey: null);

        await Assert.ThrowsAsync<WebSocketException>(() =>
            socket.ConnectAsync(RawEdgeClient.EdgeUri(server, "m"), CancellationToken.None)
        );

        Assert.Equal(HttpStatusCode.Unauthorized, socket.HttpStatusCode);
    }

    [Fact]
    public async Task Connect_RightApiKey_Connects()
    {
        var server = await StartServerAsync(apiKey: "s3cret-key");

        var client = await ConnectAsync(server, apiKey: "s3cret-key");

        Assert.Equal(MessageTypes.ConnectedEdge, client.Hello.Message.Type);
    }

    [Fact]
    public async Task Get_PlainHttpOnEdgeEndpoint_Returns400()
    {
        var server = await StartServerAsync();
        using var http = new HttpClient { BaseAddress = server.BaseAddress };

        using var response = await http.GetAsync("ws/v1/edge");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Status_ConnectedEdge_ListedWithCapabilitiesAndConnectedAt()
    {
        var server = await StartServerAsync();
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);

        var client = await ConnectAsync(server);

        var edge = Assert.Single((await server.GetStatusAsync()).Edges);
        Assert.Equal(client.EdgeId, edge.EdgeId);
        Assert.Equal(
            [Capabilities.Manifest, Capabilities.ManifestTree, Capabilities.DoneAck],
            edge.Capabilities
        );
        Assert.InRange(edge.ConnectedAt, before, DateTimeOffset.UtcNow.AddSeconds(5));
    }

    [Fact]
    public async Task Status_EdgeDisconnects_NoLongerListed()
    {
        var server = await StartServerAsync();
        var client = await ConnectAsync(server);

        await client.Socket.CloseAsync(
            WebSocketCloseStatus.NormalClosure,
            "bye",
            CancellationToken.None
        );

        await Wait.UntilAsync(
            server.GetStatusAsync,
            s => s.Edges.Count == 0,
            "edge unlisted after close"
        );
    }

    [Fact]
    public async Task Status_Json_HasDocumentedShape()
    {
        var server = await StartServerAsync();
        var client = await ConnectAsync(server);
        await client.SendTextAsync(EdgeMessages.Create("a.txt", "hi"));
        await client.SendTextAsync(EdgeMessages.Done());
        await WaitForWorkspaceAsync(server, w => w.Done, "workspace done");
        using var http = new HttpClient { BaseAddress = server.BaseAddress };

        using var document = JsonDocument.Parse(await http.GetStringAsync("api/status"));

        var edge = document.RootElement.GetProperty("edges")[0];
        Assert.Equal(client.EdgeId, edge.GetProperty("edgeId").GetString());
        Assert.Equal("manifest", edge.GetProperty("capabilities")[0].GetString());
        Assert.True(edge.GetProperty("connectedAt").TryGetDateTimeOffset(out _));
        var workspace = document.RootElement.GetProperty("workspaces")[0];
        Assert.Equal("proj", workspace.GetProperty("name").GetString());
        Assert.Equal(EdgeMessages.WorkspaceRoot, workspace.GetProperty("path").GetString());
        Assert.Equal(1, workspace.GetProperty("files").GetInt32());
        Assert.Equal(2, workspace.GetProperty("bytes").GetInt64());
        Assert.True(workspace.GetProperty("done").GetBoolean());
        var received = workspace.GetProperty("received");
        Assert.Equal(1, received.GetProperty("create").GetInt64());
        Assert.Equal(0, received.GetProperty("modify").GetInt64());
        Assert.Equal(0, received.GetProperty("delete").GetInt64());
        Assert.Equal(1, received.GetProperty("done").GetInt64());
        Assert.Equal(0, received.GetProperty("manifest").GetInt64());
        Assert.Equal(2, received.GetProperty("contentBytes").GetInt64());
    }
}
