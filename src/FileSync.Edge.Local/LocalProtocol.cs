namespace FileSync.Edge.Local;

/// <summary>Constants of the local control protocol (README.md in this folder).</summary>
public static class LocalProtocol
{
    /// <summary>The version this agent speaks; a request with another <c>v</c> is refused.</summary>
    public const int Version = 1;

    /// <summary>Longest request line accepted, in bytes (without the newline); a longer one closes the connection.</summary>
    public const int MaxRequestBytes = 16 * 1024;

    /// <summary>Longest response line a client accepts, in bytes.</summary>
    public const int MaxResponseBytes = 16 * 1024 * 1024;

    /// <summary>Connections served at once; one more is answered <c>busy</c> and closed.</summary>
    public const int MaxConnections = 16;

    /// <summary>A connection that sends no complete request for this long is closed.</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(30);
}
