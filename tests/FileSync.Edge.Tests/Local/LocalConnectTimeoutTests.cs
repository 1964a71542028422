using FileSync.Edge.Local;

namespace FileSync.Edge.Tests.Local;

/// <summary>
/// A local command gives up connecting after <see cref="LocalControlClient.ConnectTimeout"/> and
/// reports that no agent runs (the CLI's exit 5), however long it would wait for the answer. Under
/// Wine, where pipes cannot be listed, a pipe nobody serves was waited for the whole 60 s. (A Unix
/// socket whose listener accepts nothing cannot be made to wait on Linux: once its queue is full a
/// connect fails at once.)
/// </summary>
public sealed class LocalConnectTimeoutTests
{
    private static readonly TimeSpan s_answerTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task ConnectAsync_PipeNobodyServes_NoAgentAfterTheConnectTimeout()
    {
        // On Linux a .NET named pipe is a Unix socket; a client waits for it to appear, as on Windows.
        var address = new LocalEndpointAddress(
            "test",
            "filesync-test-" + Guid.NewGuid().ToString("N"),
            Directory: null
        );
        Assert.True(address.IsPipe);

        var error = await ConnectWithClockAsync(address);

        Assert.Contains("nothing accepted a connection within 5 s", error.Reason);
    }

    /// <summary>Connects with a test clock, moves it past the connect timeout and returns the error.</summary>
    private static async Task<AgentNotRunningException> ConnectWithClockAsync(
        LocalEndpointAddress address
    )
    {
        var clock = new TestTimeProvider();
        var connect = LocalControlClient.RequestAsync(
            address,
            new LocalRequest { Command = LocalCommands.Status },
            s_answerTimeout,
            time: clock
        );
        await clock.WaitForTimersAsync();
        Assert.False(connect.IsCompleted, "the connect should still be waiting");
        clock.Advance(LocalControlClient.ConnectTimeout);
        return await Assert.ThrowsAsync<AgentNotRunningException>(async () =>
            await connect.WaitAsync(Wait.Generous)
        );
    }
}
