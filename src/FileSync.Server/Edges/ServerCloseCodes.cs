namespace FileSync.Server.Edges;

/// <summary>WebSocket close codes of the todoforai backend, which the reference server uses too, and its own for a wrong key.</summary>
internal static class ServerCloseCodes
{
    /// <summary>Another connection for this edge already exists (the new one is refused).</summary>
    public const int AlreadyConnected = 4001;

    /// <summary>This connection was replaced by a newer one of the same edge.</summary>
    public const int Replaced = 4002;

    /// <summary>
    /// The key offered is not the server's (todoforai dialect, after the <c>ERROR</c> "Invalid API key"):
    /// HTTP's 401 as a close code, so an edge can tell this rejection from any other close.
    /// </summary>
    public const int InvalidApiKey = 4401;
}
