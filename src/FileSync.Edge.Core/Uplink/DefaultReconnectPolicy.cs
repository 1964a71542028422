namespace FileSync.Edge.Uplink;

/// <summary>
/// Exponential backoff with full jitter: a random delay in [base·2^attempt / 2, base·2^attempt], capped.
/// Never gives up, except on an authentication rejection (retrying cannot fix a wrong key) or when
/// another connection of this edge identity holds the server (close 4001/4002).
/// </summary>
public sealed class DefaultReconnectPolicy(
    TimeSpan maxDelay,
    TimeSpan? baseDelay = null,
    Random? random = null
) : IReconnectPolicy
{
    private readonly TimeSpan _baseDelay = baseDelay ?? TimeSpan.FromMilliseconds(500);
    private readonly Random _random = random ?? Random.Shared;

    public TimeSpan? NextDelay(ReconnectContext context)
    {
        if (context.LastError is UplinkAuthenticationException or UplinkIdentityConflictException)
        {
            return null;
        }
        var exponent = Math.Min(context.Attempt, 20);
        var ceiling = Math.Min(
            maxDelay.TotalMilliseconds,
            _baseDelay.TotalMilliseconds * Math.Pow(2, exponent)
        );
        var jittered = TimeSpan.FromMilliseconds(ceiling / 2 + _random.NextDouble() * ceiling / 2);
        // A server that said when to come back (Retry-After on 429/503) is not asked earlier.
        return
            context.LastError is UplinkUpgradeRefusedException { RetryAfter: { } wait }
            && wait > jittered
            ? wait
            : jittered;
    }
}
