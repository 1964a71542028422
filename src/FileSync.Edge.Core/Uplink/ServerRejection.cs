using System.Net.WebSockets;

namespace FileSync.Edge.Uplink;

/// <summary>
/// Decides whether what a server said means "your credentials are rejected" or "another connection of
/// this edge holds the identity" — the two answers retrying cannot fix. Servers say it in several ways:
/// HTTP 401/403 on the upgrade, an <c>error</c>/<c>ERROR</c> frame about the API key or authentication,
/// or a close whose code or reason says so.
/// </summary>
public static class ServerRejection
{
    /// <summary>Close code of the todoforai backend: another connection for this edge already exists.</summary>
    public const int CloseAlreadyConnected = 4001;

    /// <summary>Close code of the todoforai backend (and the reference server): replaced by a newer connection of this edge.</summary>
    public const int CloseReplaced = 4002;

    private static readonly string[] s_authenticationWords =
    [
        "api key",
        "api-key",
        "api_key",
        "apikey",
        "authenticat",
        "unauthori",
        "not authorized",
        "invalid key",
        "invalid token",
        "access denied",
        "credential",
    ];

    private static readonly string[] s_authenticationCodes =
    [
        "unauthorized",
        "auth_failed",
        "authentication_failed",
        "invalid_api_key",
        "forbidden",
    ];

    /// <summary>True when an error frame's code or message says the credentials were rejected.</summary>
    public static bool IsAuthenticationError(string? code, string? message)
    {
        if (
            code is not null
            && s_authenticationCodes.Contains(code.Trim(), StringComparer.OrdinalIgnoreCase)
        )
        {
            return true;
        }
        return message is not null
            && s_authenticationWords.Any(word =>
                message.Contains(word, StringComparison.OrdinalIgnoreCase)
            );
    }

    /// <summary>True when a close says authentication failed: code 4401/4403 (HTTP's 401/403 as close codes) or a reason that says so.</summary>
    public static bool IsAuthenticationClose(WebSocketCloseStatus? status, string? description) =>
        (int?)status is 4401 or 4403
        || (description is { Length: > 0 } && IsAuthenticationError(null, description));

    /// <summary>True when the close code says another connection of this edge holds the identity.</summary>
    public static bool IsIdentityConflict(WebSocketCloseStatus? status) =>
        (int?)status is CloseAlreadyConnected or CloseReplaced;
}
