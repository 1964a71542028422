namespace FileSync.Edge.Uplink;

/// <summary>
/// The sync server itself rejected our credentials: its marked HTTP 401 on the upgrade
/// (<see cref="ServerRejection.IsServerKeyRejection"/>), or an <c>error</c>/<c>ERROR</c> frame or close
/// about the key on the WebSocket. Not retried (exit code 3).
/// </summary>
public sealed class UplinkAuthenticationException(string message, Exception? inner = null)
    : Exception(message, inner);
