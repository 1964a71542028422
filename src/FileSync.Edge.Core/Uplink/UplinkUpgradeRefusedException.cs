namespace FileSync.Edge.Uplink;

/// <summary>
/// The WebSocket upgrade was answered with an HTTP error that is not the sync server's own rejection of
/// the key (that is <see cref="UplinkAuthenticationException"/>): retried with backoff — after a long
/// pause for a 401/403 of a gateway, proxy or CDN (<see cref="IsGatewayRefusal"/>) — and not before
/// <see cref="RetryAfter"/> when the answer had one.
/// </summary>
public sealed class UplinkUpgradeRefusedException(
    int statusCode,
    string message,
    TimeSpan? retryAfter,
    Exception? inner = null,
    string? serverHeader = null
) : Exception(message, inner)
{
    public int StatusCode { get; } = statusCode;

    /// <summary>The answer's <c>Retry-After</c>, when it had one.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;

    /// <summary>The answer's <c>Server</c> header (<c>nginx/1.22.1</c>, <c>cloudflare</c>): who answered.</summary>
    public string? ServerHeader { get; } = serverHeader;

    /// <summary>A 401 or 403 that the sync server did not mark as its own: someone in front of it refused.</summary>
    public bool IsGatewayRefusal => StatusCode is 401 or 403;
}
