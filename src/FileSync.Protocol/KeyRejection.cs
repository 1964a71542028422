namespace FileSync.Protocol;

/// <summary>
/// How the sync server marks its own rejection of an API key on the WebSocket upgrade, so that an edge
/// can tell it from any other 401/403 (a proxy's <c>auth_basic</c>, a WAF's <c>return 403</c>, a CDN's
/// block): HTTP 401 with <c>WWW-Authenticate: Bearer realm="FileSync", error="invalid_token"</c> and the
/// JSON body <see cref="Body"/>. An edge ends (exit code 3) only on a 401 that carries the challenge; any
/// other 401/403 is retried.
/// </summary>
public static class KeyRejection
{
    public const string Realm = "FileSync";

    /// <summary>The <c>WWW-Authenticate</c> value of the server's 401 (RFC 6750).</summary>
    public const string Challenge = "Bearer realm=\"" + Realm + "\", error=\"invalid_token\"";

    /// <summary>The <c>error</c> of the body.</summary>
    public const string ErrorCode = "invalid_api_key";

    /// <summary>The body of the server's 401 (<c>application/json</c>), for people and tools reading it.</summary>
    public const string Body =
        "{\"error\":\""
        + ErrorCode
        + "\",\"message\":\"the API key is missing or not the one this server accepts\"}";

    /// <summary>True when one of the <c>WWW-Authenticate</c> values is the server's challenge (a Bearer challenge of realm FileSync).</summary>
    public static bool IsMarked(IEnumerable<string?> wwwAuthenticateValues) =>
        wwwAuthenticateValues.Any(value =>
            value is not null
            && value.TrimStart().StartsWith("Bearer", StringComparison.OrdinalIgnoreCase)
            && value.Contains("realm=\"" + Realm + "\"", StringComparison.Ordinal)
        );
}
