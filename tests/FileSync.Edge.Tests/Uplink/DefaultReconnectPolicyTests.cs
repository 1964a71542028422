using FileSync.Edge.Uplink;

namespace FileSync.Edge.Tests.Uplink;

public sealed class DefaultReconnectPolicyTests
{
    private static readonly DefaultReconnectPolicy s_policy = new(
        TimeSpan.FromSeconds(30),
        longDelay: TimeSpan.FromMinutes(1),
        longMaxDelay: TimeSpan.FromMinutes(30)
    );

    [Fact]
    public void ServerKeyRejection_GivesUp()
    {
        Assert.Null(
            s_policy.NextDelay(
                new ReconnectContext(0, TimeSpan.Zero, new UplinkAuthenticationException("x"))
            )
        );
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 2)]
    [InlineData(2, 4)]
    [InlineData(4, 16)]
    [InlineData(5, 30)]
    [InlineData(40, 30)]
    public void GatewayRefusalOrReplacedConnection_LongPauseDoublingToTheCap(
        int longRetries,
        int minutes
    )
    {
        Exception[] failures =
        [
            new UplinkUpgradeRefusedException(403, "", null),
            new UplinkUpgradeRefusedException(401, "", null),
            new UplinkReplacedException(4002, "replaced"),
        ];
        foreach (var failure in failures)
        {
            Assert.Equal(
                TimeSpan.FromMinutes(minutes),
                s_policy.NextDelay(new ReconnectContext(0, TimeSpan.Zero, failure, longRetries))
            );
        }
    }

    [Fact]
    public void GatewayRefusalWithALongerRetryAfter_WaitsThatLong()
    {
        var failure = new UplinkUpgradeRefusedException(403, "", TimeSpan.FromMinutes(5));

        Assert.Equal(
            TimeSpan.FromMinutes(5),
            s_policy.NextDelay(new ReconnectContext(0, TimeSpan.Zero, failure))
        );
    }

    [Fact]
    public void OtherFailures_QuickBackoffWithinTheCap()
    {
        for (var attempt = 0; attempt < 30; attempt++)
        {
            var delay = s_policy
                .NextDelay(
                    new ReconnectContext(attempt, TimeSpan.Zero, new IOException("reset"), 3)
                )!
                .Value;
            Assert.InRange(delay, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(30));
        }
    }
}
