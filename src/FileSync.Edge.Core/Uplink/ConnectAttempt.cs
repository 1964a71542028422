namespace FileSync.Edge.Uplink;

/// <summary>What one connect attempt knew besides its exception, for <see cref="ConnectionFailure.Describe"/>.</summary>
/// <param name="Server">The URL connected to (without the query).</param>
/// <param name="Proxy">The HTTP proxy the attempt went through, or null when it went direct.</param>
/// <param name="Tls">What the certificate check saw, or null when no certificate was checked.</param>
/// <param name="ServerSpeaksTls">
/// For a <c>ws://</c> URL answered with HTTP 400: whether the port completed a TLS handshake when asked
/// (then the URL should be <c>wss://</c>); null when not probed.
/// </param>
/// <param name="Closed">How the server closed the connection (code and reason), when it did.</param>
public sealed record ConnectAttempt(
    Uri Server,
    Uri? Proxy = null,
    TlsObservation? Tls = null,
    bool? ServerSpeaksTls = null,
    string? Closed = null
);
