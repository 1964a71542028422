namespace FileSync.Server;

/// <summary>How the reference server talks to edges.</summary>
public enum ServerDialect
{
    /// <summary>FileSync's own protocol: Bearer header or subprotocol, capabilities, <c>error</c> frames, HTTP 401 for a wrong key.</summary>
    Ours,

    /// <summary>
    /// What the todoforai backend does, as its edge clients expect it: the API key as the WebSocket
    /// subprotocol (echoed), <c>connected_edge</c> without capabilities, then <c>edge:config_update</c>
    /// listing the workspaces, <c>ERROR</c> frames (a wrong key is an <c>ERROR</c> after the upgrade),
    /// close 4001/4002 for a second connection of an edge, and content stored as text.
    /// </summary>
    Todoforai,
}
