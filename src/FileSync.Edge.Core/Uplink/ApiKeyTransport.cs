namespace FileSync.Edge.Uplink;

/// <summary>How the API key travels on the WebSocket upgrade (config <c>Uplink:ApiKeyTransport</c>, CLI <c>--api-key-transport</c>).</summary>
public enum ApiKeyTransport
{
    /// <summary>As the subprotocol (the todoforai backend's way) and as <c>Authorization: Bearer</c>.</summary>
    Both,

    /// <summary>Only as <c>Authorization: Bearer</c>.</summary>
    Header,

    /// <summary>Only as the WebSocket subprotocol (<c>Sec-WebSocket-Protocol</c>).</summary>
    Subprotocol,
}
