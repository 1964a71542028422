namespace FileSync.Edge.Uplink;

/// <summary>
/// Exponential backoff with full jitter: a random delay in [base·2^attempt / 2, base·2^attempt], capped.
/// Never gives up, except when the sync server rejected the key (retrying cannot fix a wrong key). An
/// answer that a quick retry would only repeat — a gateway's 401/403, a connection replaced by another of
/// this edge — waits a long pause instead: <paramref name="longDelay"/> doubling per such answer in a row,
/// up to <paramref name="longMaxDelay"/>. A <c>Retry-After</c> longer than the delay wins.
/// </summary>
public sealed class DefaultReconnectPolicy(
    TimeSpan maxDelay,
    TimeSpan? baseDelay = null,
    Random? random = null,
    TimeSpan? longDelay = null,
    TimeSpan? longMaxDelay = null
) : IReconnectPolicy
{
    private readonly TimeSpan _baseDelay = baseDelay ?? TimeSpan.FromMilliseconds(500);
    private readonly TimeSpan _longDelay = longDelay ?? TimeSpan.FromMinutes(1);
    private readonly TimeSpan _longMaxDelay = longMaxDelay ?? TimeSpan.FromMinutes(30);
    private readonly Random _random = random ?? Random.Shared;

    /// <summary>True for a failure that calls for a long pause rather than the quick backoff.</summary>
    public static bool CallsForLongPause(Exception? failure) =>
        failure
            is UplinkReplacedException
                or UplinkUpgradeRefusedException { IsGatewayRefusal: true };

    public TimeSpan? NextDelay(ReconnectContext context)
    {
        if (context.LastError is UplinkAuthenticationException)
        {
            return null;
        }
        var delay = CallsForLongPause(context.LastError)
            ? TimeSpan.FromTicks(
                (long)
                    Math.Min(
                        _longMaxDelay.Ticks,
                        _longDelay.Ticks * Math.Pow(2, Math.Min(context.LongRetries, 20))
                    )
            )
            : Jittered(context.Attempt);
        // A server that said when to come back (Retry-After on 429/503, or a gateway's) is not asked earlier.
        return
            context.LastError is UplinkUpgradeRefusedException { RetryAfter: { } wait }
            && wait > delay
            ? wait
            : delay;
    }

    private TimeSpan Jittered(int attempt)
    {
        var exponent = Math.Min(attempt, 20);
        var ceiling = Math.Min(
            maxDelay.TotalMilliseconds,
            _baseDelay.TotalMilliseconds * Math.Pow(2, exponent)
        );
        return TimeSpan.FromMilliseconds(ceiling / 2 + _random.NextDouble() * ceiling / 2);
    }
}
