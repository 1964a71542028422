namespace FileSync.Edge.Uplink;

/// <summary>
/// The server answered the WebSocket upgrade with an HTTP error other than 401/403 (those are
/// <see cref="UplinkAuthenticationException"/>): retried with backoff, and not before
/// <see cref="RetryAfter"/> when the server sent one (429, 503).
/// </summary>
public sealed class UplinkUpgradeRefusedException(
    int statusCode,
    string message,
    TimeSpan? retryAfter,
    Exception? inner = null
) : Exception(message, inner)
{
    public int StatusCode { get; } = statusCode;

    /// <summary>The server's <c>Retry-After</c>, when it sent one.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
}
