namespace FileSync.Edge.Uplink;

/// <summary>The server rejected our credentials (HTTP 401/403 on upgrade). Not retried.</summary>
public sealed class UplinkAuthenticationException(string message, Exception? inner = null)
    : Exception(message, inner);
