using System.Net.WebSockets;
using FileSync.Edge.Tests.Infrastructure;
using Xunit.Abstractions;

namespace FileSync.Edge.Tests.Server;

public sealed class ServerLifecycleTests(ITestOutputHelper output) : ServerTestBase(output)
{
    [Fact]
    public async Task StartAsync_PortZero_ExposesBoundAddresses()
    {
        var server = await StartServerAsync();

        Assert.NotEqual(0, server.Port);
        Assert.Equal($"http://127.0.0.1:{server.Port}/", server.BaseAddress.ToString());
        Assert.Equal($"ws://127.0.0.1:{server.Port}/ws/v1/edge", server.WebSocketUri.ToString());
        Assert.Equal(Path.GetFullPath(Sandbox.MirrorDirectory), server.MirrorDirectory);
    }

    [Fact]
    public async Task StopAsync_WithConnectedEdge_ClosesItPromptlyAsEndpointUnavailable()
    {
        var server = await StartServerAsync();
        var client = await ConnectAsync(server);

        var stopping = server.StopAsync();
        var closeStatus = await client.WaitForCloseAsync();
        await stopping.WaitAsync(InProcessServer.StopTimeout);

        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, closeStatus);
    }

    [Fact]
    public async Task StartAsync_SamePortAfterStop_ServesAgainWithMirrorKept()
    {
        var first = await StartServerAsync();
        var client = await ConnectAsync(first);
        await client.SendTextAsync(EdgeMessages.Create("a.txt", "before restart"));
        await WaitForWorkspaceAsync(first, w => w.Files == 1, "mirrored before restart");
        await first.StopAsync();
        await client.WaitForCloseAsync();

        var second = await StartServerAsync(port: first.Port);
        var reconnected = await ConnectAsync(second);
        await reconnected.SendTextAsync(EdgeMessages.Manifest([("a.txt", "before restart")]));

        var diff = await reconnected.ReceiveAsync(FileSync.Protocol.MessageTypes.ManifestDiff);
        Assert.Equal(first.Port, second.Port);
        Assert.Equal(client.EdgeId, reconnected.EdgeId);
        Assert.Empty(diff.Payload.GetProperty("need").EnumerateArray());
        var workspace = (await second.GetStatusAsync()).Workspaces.Single();
        Assert.Equal(0, workspace.Received.Create);
        Assert.Equal(1, workspace.Received.Manifest);
    }
}
