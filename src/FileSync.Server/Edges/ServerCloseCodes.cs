namespace FileSync.Server.Edges;

/// <summary>WebSocket close codes of the todoforai backend, which the reference server uses too.</summary>
internal static class ServerCloseCodes
{
    /// <summary>Another connection for this edge already exists (the new one is refused).</summary>
    public const int AlreadyConnected = 4001;

    /// <summary>This connection was replaced by a newer one of the same edge.</summary>
    public const int Replaced = 4002;
}
