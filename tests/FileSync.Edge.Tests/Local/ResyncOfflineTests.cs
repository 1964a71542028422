using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace FileSync.Edge.Tests.Local;

/// <summary>
/// <c>resync</c> while offline: a real agent process whose server answers 503 with a long Retry-After
/// waits out its backoff; status shows when the next attempt is due (an absolute time), and the
/// resync command starts that attempt at once.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ResyncOfflineTests(ITestOutputHelper output)
    : LocalTestBase(output),
        IDisposable
{
    private readonly WireMockServer _mock = WireMockServer.Start();

    public void Dispose() => _mock.Stop();

    [Fact]
    public async Task ResyncWhileWaitingOutABackoff_ReconnectsAtOnce()
    {
        _mock
            .Given(Request.Create().WithPath("/ws/v1/edge").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(503).WithHeader("Retry-After", "600"));
        var workspace = NewWorkspace();
        workspace.Write("a.txt", "a");
        await StartLocalAgentAsync(
            [workspace.Path],
            new Uri($"ws://127.0.0.1:{_mock.Ports[0]}/ws/v1/edge")
        );

        var connection = await Wait.UntilAsync(
            async () => (await StatusJsonAsync()).Status.GetProperty("connection"),
            c => c.TryGetProperty("nextAttemptAt", out _),
            "the agent to wait out the server's Retry-After"
        );
        Assert.Equal("reconnecting", connection.GetProperty("state").GetString());
        var due = connection.GetProperty("nextAttemptAt").GetDateTimeOffset();
        Assert.True(due > DateTimeOffset.UtcNow.AddMinutes(5), $"next attempt at {due}");
        var text = (await CliAsync("status")).Stdout;
        Assert.Matches(@"next attempt in (9|10)m\d+s", text);
        Assert.Single(_mock.LogEntries);

        var resync = await CliAsync("resync");
        Assert.Equal(0, resync.ExitCode);

        // Far sooner than the ten minutes the server asked for.
        await Wait.UntilAsync(
            () => _mock.LogEntries.Count() >= 2,
            "a second upgrade attempt right after the resync"
        );
    }
}
