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

    private sealed class OutOfMemoryPolicy : IReconnectPolicy
    {
        public TimeSpan? NextDelay(ReconnectContext context) =>
            throw new OutOfMemoryException("test: out of memory");
    }
}
