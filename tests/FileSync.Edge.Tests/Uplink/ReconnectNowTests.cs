using System.Threading.Channels;
using FileSync.Edge.Tests.Infrastructure;
using FileSync.Edge.Uplink;
using Microsoft.Extensions.Logging.Abstractions;

namespace FileSync.Edge.Tests.Uplink;

/// <summary>
/// Skipping the backoff (a resync asked for while offline) on the injected clock: the connection shows
/// when its next attempt is due as an absolute time, and <see cref="UplinkConnection.ReconnectNow"/>
/// starts it at once, with the clock standing still.
/// </summary>
public sealed class ReconnectNowTests
{
    private static readonly TimeSpan s_backoff = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task ReconnectNow_DuringBackoff_ConnectsAgainWithoutTheClockMoving()
    {
        var time = new TestTimeProvider();
        var policy = new FixedBackoffPolicy(s_backoff);
        var uplink = new UplinkConnection(
            new UplinkOptions
            {
                // Nothing listens: every connect is refused at once.
                Server = new Uri($"ws://127.0.0.1:{LoopbackPort.Unused()}/ws/v1/edge"),
                Fingerprint = "reconnect-now-test",
            },
            policy,
            time,
            NullLogger<UplinkConnection>.Instance
        );
        await using (uplink)
        {
            Assert.False(uplink.ReconnectNow()); // not started: no backoff to skip
            await uplink.StartAsync();

            var first = await policy.NextFailureAsync();
            Assert.Equal(0, first.Attempt);
            await Wait.UntilAsync(() => uplink.NextAttemptAt is not null, "the backoff to start");
            Assert.Equal(UplinkState.Reconnecting, uplink.State);
            Assert.Equal(time.GetUtcNow() + s_backoff, uplink.NextAttemptAt);

            Assert.True(uplink.ReconnectNow());

            var second = await policy.NextFailureAsync();
            Assert.Equal(1, second.Attempt);
            Assert.Equal(TestTimeProvider.Epoch, time.GetUtcNow()); // the clock never moved
            await Wait.UntilAsync(
                () => uplink.NextAttemptAt is not null,
                "the next backoff to start"
            );
            Assert.Equal(time.GetUtcNow() + s_backoff, uplink.NextAttemptAt);
        }
        Assert.Null(uplink.NextAttemptAt);
    }

    /// <summary>Always the same delay; each failure it is asked about can be awaited in order.</summary>
    private sealed class FixedBackoffPolicy(TimeSpan delay) : IReconnectPolicy
    {
        private readonly Channel<ReconnectContext> _failures =
            Channel.CreateUnbounded<ReconnectContext>();

        public TimeSpan? NextDelay(ReconnectContext context)
        {
            _failures.Writer.TryWrite(context);
            return delay;
        }

        public async Task<ReconnectContext> NextFailureAsync() =>
            await _failures.Reader.ReadAsync().AsTask().WaitAsync(Wait.Generous);
    }
}
