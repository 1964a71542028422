using System.ComponentModel.DataAnnotations;

namespace FileSync.Edge.Uplink;

/// <summary>Connection settings. Bound from the "Uplink" configuration section.</summary>
public sealed class UplinkOptions
{
    public const string SectionName = "Uplink";

    /// <summary>WebSocket URL of the server, e.g. ws://127.0.0.1:8765/ws/v1/edge, or an API URL such as https://host (see <see cref="ServerUrl"/>).</summary>
    public Uri? Server { get; set; }

    /// <summary>Sent as the WebSocket subprotocol and/or <c>Authorization: Bearer</c> (<see cref="ApiKeyTransport"/>); never logged, never put in the URL.</summary>
    public string? ApiKey { get; set; }

    /// <summary>How the key travels. Default <see cref="Uplink.ApiKeyTransport.Both"/>: a server picks what it knows.</summary>
    public ApiKeyTransport ApiKeyTransport { get; set; } = ApiKeyTransport.Both;

    /// <summary>
    /// The agent's identity, sent in the <c>FileSync-Edge-Fingerprint</c> header (and as <c>?fingerprint=</c>
    /// where <see cref="IdentityInUrl"/> says so); the server derives the edge id from it. It names the
    /// edge and authenticates nothing. Default
    /// (null or empty): <see cref="MachineFingerprint.Compute"/> of the machine, the OS user and the config
    /// file. Set by <c>--name</c>; 1 to <see cref="MachineFingerprint.MaxLength"/> printable characters.
    /// </summary>
    public string? Fingerprint { get; set; }

    /// <summary>
    /// Use binary MessagePack frames with a server that offers them (capability <c>msgpack</c>): file
    /// content and hashes travel as bytes. Default true; JSON text with every other server.
    /// </summary>
    public bool MessagePack { get; set; } = true;

    /// <summary>
    /// Offer XxHash128 as the content hash (capability <c>xxh128</c>) and use it with a server that
    /// announces it: index and manifest hashes, and the hash of each file sent. Hashing a workspace is
    /// faster than with SHA-256 (README, benchmarks). Default true; SHA-256 with every other server.
    /// </summary>
    public bool FastHash { get; set; } = true;

    /// <summary>
    /// Offer permessage-deflate (RFC 7692); used only when the server accepts it. Each message is
    /// compressed on its own (no context takeover), so no message's size depends on another's
    /// content. Default true.
    /// </summary>
    public bool Compression { get; set; } = true;

    /// <summary>
    /// The HTTP proxy to connect through, e.g. <c>http://proxy:3128</c> or
    /// <c>http://user:password@proxy:3128</c> (the password is never logged). Default: none here, so
    /// the standard variables decide (<see cref="UplinkProxy"/>: <c>HTTPS_PROXY</c> for <c>wss://</c>,
    /// <c>HTTP_PROXY</c> for <c>ws://</c>, <c>ALL_PROXY</c>). Set by <c>--proxy</c>.
    /// </summary>
    public string? Proxy { get; set; }

    /// <summary>
    /// Hosts reached without the proxy, comma-separated (<c>*</c>: all; <c>.example.com</c>; an address
    /// or CIDR range; <c>host:port</c>). Default: none here, so <c>NO_PROXY</c> decides.
    /// </summary>
    public string? NoProxy { get; set; }

    /// <summary>Give up a connect attempt after this many seconds. Default 10.</summary>
    [Range(1, 300)]
    public int ConnectTimeoutSeconds { get; set; } = 10;

    /// <summary>
    /// Seconds of quiet after which the agent sends a WebSocket ping (at most half of
    /// <see cref="KeepAliveTimeoutSeconds"/>). Default 10: each ping and its pong wake an idle agent
    /// (1.65 wake-ups/s in all at 10 s, measured on the Native AOT agent).
    /// </summary>
    [Range(1, 300)]
    public int KeepAliveSeconds { get; set; } = 10;

    /// <summary>
    /// A connection on which nothing has moved for this many seconds — no byte received, none of ours
    /// taken by the network — is dropped ("no answer to keepalive ping within N s"). Default 20: with
    /// the ping every 10 s a frozen link is found within 20–25 s, while an upload still draining through a
    /// slow link, or a server still answering, keeps the connection however long its pong waits behind
    /// that backlog.
    /// </summary>
    [Range(1, 300)]
    public int KeepAliveTimeoutSeconds { get; set; } = 20;

    /// <summary>Largest backoff between reconnect attempts, in seconds. Default 30.</summary>
    [Range(1, 3600)]
    public int MaxReconnectDelaySeconds { get; set; } = 30;

    /// <summary>
    /// The first pause, in seconds, after an answer that a quick retry would only repeat: a 401/403 that is
    /// not the sync server's own key rejection (a gateway, proxy or CDN in front), or a connection that
    /// another connection of this edge replaced (close 4001/4002). It doubles with each such answer in a
    /// row, up to <see cref="LongRetryMaxSeconds"/>; a longer <c>Retry-After</c> wins. Default 60.
    /// </summary>
    [Range(1, 3600)]
    public int LongRetrySeconds { get; set; } = 60;

    /// <summary>The longest such pause, in seconds. Default 1800 (30 minutes).</summary>
    [Range(1, 86400)]
    public int LongRetryMaxSeconds { get; set; } = 1800;

    /// <summary>
    /// Whether the identity also goes into the URL as <c>?fingerprint=</c> (what the todoforai backend
    /// reads). Default <see cref="Uplink.IdentityInUrl.Auto"/>: only in the header, unless the server's
    /// answer shows it did not read the header.
    /// </summary>
    public IdentityInUrl IdentityInUrl { get; set; } = IdentityInUrl.Auto;

    public TimeSpan ConnectTimeout => TimeSpan.FromSeconds(ConnectTimeoutSeconds);
    public TimeSpan KeepAlive => TimeSpan.FromSeconds(KeepAliveSeconds);
    public TimeSpan KeepAliveTimeout => TimeSpan.FromSeconds(KeepAliveTimeoutSeconds);
    public TimeSpan LongRetry => TimeSpan.FromSeconds(LongRetrySeconds);
    public TimeSpan LongRetryMax => TimeSpan.FromSeconds(LongRetryMaxSeconds);
}
