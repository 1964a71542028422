namespace FileSync.Protocol;

/// <summary>
/// The request header of the WebSocket upgrade that carries the edge's identity (the same value the
/// todoforai dialect takes as <c>?fingerprint=</c>), so that it stays out of the URL and thus out of
/// proxies' and servers' access logs. The identity only names the edge; it authenticates nothing (the API
/// key does).
/// </summary>
public static class EdgeIdentityHeader
{
    public const string HeaderName = "FileSync-Edge-Fingerprint";

    /// <summary>
    /// The value of the same header in the server's answer to the upgrade when it read the identity from
    /// the request header: an edge that sees no acknowledgement connects again with the query parameter.
    /// </summary>
    public const string Acknowledged = "read";

    /// <summary>The query parameter of the todoforai dialect.</summary>
    public const string QueryParameter = "fingerprint";
}
