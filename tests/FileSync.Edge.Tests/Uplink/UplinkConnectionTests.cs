using System.Net;
using System.Net.Sockets;
using FileSync.Edge.Tests.Infrastructure;
using FileSync.Edge.Uplink;
using Microsoft.Extensions.Logging.Abstractions;

namespace FileSync.Edge.Tests.Uplink;

public sealed class UplinkConnectionTests
{
    [Fact]
    public async Task LoopDiesOfOutOfMemory_CompletionFaults_SoTheHostEndsTheAgent()
    {
        var uplink = new UplinkConnection(
            new UplinkOptions
            {
                Server = new Uri($"ws://127.0.0.1:{LoopbackPort.Unused()}/ws/v1/edge"),
                Fingerprint = "oom-test",
            },
            new OutOfMemoryPolicy(),
            TimeProvider.System,
            NullLogger<UplinkConnection>.Instance
        );
        await using (uplink)
        {
            await uplink.StartAsync();

            // The first connect fails (nothing listens); deciding the retry then runs out of memory.
            await Assert.ThrowsAsync<OutOfMemoryException>(() =>
                uplink.Completion.WaitAsync(Wait.Generous)
            );
            Assert.Equal(UplinkState.Stopped, uplink.State);
            Assert.Null(uplink.Session);
        }
    }

    [Fact]
    public async Task Connect_HandshakeNeverAnswered_TimesOutOnTheInjectedClock()
    {
        // A server that accepts the TCP connection and never answers the upgrade request.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var accepted = listener.AcceptSocketAsync();
        var time = new TestTimeProvider();
        var policy = new GiveUpPolicy();
        var uplink = new UplinkConnection(
            new UplinkOptions
            {
                Server = new Uri(
                    $"ws://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/ws/v1/edge"
                ),
                Fingerprint = "connect-timeout-test",
                ConnectTimeoutSeconds = 300,
            },
            policy,
            time,
            NullLogger<UplinkConnection>.Instance
        );
        await using (uplink)
        {
            await uplink.StartAsync();
            using var socket = await accepted.OrTimeout(Wait.Generous, "the upgrade request");
            await time.WaitForTimersAsync();
            Assert.False(policy.Called.Task.IsCompleted); // no real clock gives up on its own

            time.Advance(TimeSpan.FromSeconds(300));

            var context = await policy.Called.Task.OrTimeout(
                Wait.Generous,
                "the failed connect to reach the reconnect policy"
            );
            var timeout = Assert.IsType<TimeoutException>(context.LastError);
            Assert.Contains("timed out after 300 s", timeout.Message, StringComparison.Ordinal);
        }
    }

    /// <summary>Records the first failure and gives up.</summary>
    private sealed class GiveUpPolicy : IReconnectPolicy
    {
        public TaskCompletionSource<ReconnectContext> Called { get; } =
            new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TimeSpan? NextDelay(ReconnectContext context)
        {
            Called.TrySetResult(context);
            return null;
        }
    }

    private sealed class OutOfMemoryPolicy : IReconnectPolicy
    {
        public TimeSpan? NextDelay(ReconnectContext context) =>
            throw new OutOfMemoryException("test: out of memory");
    }
}
