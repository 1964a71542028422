using FileSync.Protocol;

namespace FileSync.Edge.Tests.Control;

/// <summary>
/// edge:status_request (EdgeStatusReporter): workspaces, version and uptime, with or without a payload.
/// </summary>
public sealed class EdgeStatusReporterTests(ITestOutputHelper output)
    : ControlDispatcherFixture(output)
{
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
}
