namespace FileSync.Edge.Uplink;

/// <summary>
/// The server URL as users give it: a WebSocket URL (<c>ws://</c>, <c>wss://</c>), or, as the todoforai
/// clients accept, an API URL without a path (<c>https://host</c> → <c>wss://host/ws/v1/edge</c>,
/// <c>http://host</c> → <c>ws://host/ws/v1/edge</c>).
/// </summary>
public static class ServerUrl
{
    /// <summary>The edge endpoint's path on a todoforai (and the reference) server.</summary>
    public const string EdgePath = "/ws/v1/edge";

    /// <summary>The WebSocket URL to connect to, or null with a one-line reason.</summary>
    public static Uri? ToWebSocket(Uri? server, out string error)
    {
        error = "";
        if (server is null || !server.IsAbsoluteUri)
        {
            error =
                $"server URL '{server}' must be an absolute ws://, wss://, http:// or https:// URL";
            return null;
        }
        switch (server.Scheme)
        {
            case "ws" or "wss":
                return server;
            case "http" or "https":
                if (server.AbsolutePath is not ("/" or "") || server.Query.Length > 0)
                {
                    error =
                        $"server URL '{server.GetLeftPart(UriPartial.Path)}' is an http(s) URL with a path; give the WebSocket URL (ws:// or wss://) or just https://host";
                    return null;
                }
                var builder = new UriBuilder(server)
                {
                    Scheme = server.Scheme == "https" ? "wss" : "ws",
                    Path = EdgePath,
                };
                if (server.IsDefaultPort)
                {
                    builder.Port = -1;
                }
                return builder.Uri;
            default:
                error =
                    $"server URL '{server.GetLeftPart(UriPartial.Authority)}' must be a ws://, wss://, http:// or https:// URL";
                return null;
        }
    }
}
