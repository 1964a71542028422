using System.Net.WebSockets;
using FileSync.Protocol;

namespace FileSync.Edge.Uplink;

/// <summary>
/// Decides whether what a server said means "your credentials are rejected" (retrying cannot fix it: exit
/// code 3) or "another connection of this edge holds the identity" (retried after a long pause). Only the
/// sync server rejects a key: its marked HTTP 401 on the upgrade (<see cref="KeyRejection"/>), or an
/// <c>error</c>/<c>ERROR</c> frame or close about the key on the WebSocket. A 401/403 without the mark
/// comes from something in front of the server and is retried.
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
    public static bool IsReplaced(WebSocketCloseStatus? status) =>
        (int?)status is CloseAlreadyConnected or CloseReplaced;

    /// <summary>
    /// True when an HTTP answer to the upgrade is the sync server's own rejection of the key: a 401 with
    /// the <see cref="KeyRejection.Challenge"/>. A bare 401/403 is not.
    /// </summary>
    public static bool IsServerKeyRejection(
        int statusCode,
        IReadOnlyDictionary<string, IEnumerable<string>>? headers
    ) =>
        statusCode == 401
        && headers is not null
        && KeyRejection.IsMarked(
            headers
                .Where(h =>
                    string.Equals(h.Key, "WWW-Authenticate", StringComparison.OrdinalIgnoreCase)
                )
                .SelectMany(h => h.Value)
        );
}
