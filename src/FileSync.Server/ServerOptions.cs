using System.ComponentModel.DataAnnotations;

namespace FileSync.Server;

/// <summary>Settings of the reference server (DESIGN.md §4). Validated by <see cref="MirrorServer.Build"/>.</summary>
public sealed class ServerOptions
{
    /// <summary>TCP port on 127.0.0.1. 0 picks any free port.</summary>
    [Range(0, 65535)]
    public int Port { get; set; }

    /// <summary>Folder that receives one sub-folder per workspace. Created when missing.</summary>
    [Required]
    public string MirrorDirectory { get; set; } = "";

    /// <summary>
    /// When set, a WebSocket upgrade must carry the key: as <c>Authorization: Bearer &lt;key&gt;</c> or as
    /// the subprotocol (HTTP 401 otherwise); in the todoforai dialect only as the subprotocol, and a wrong
    /// key gets an <c>ERROR</c> frame and a close after the upgrade.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>Behave like a legacy server: <c>connected_edge</c> has no capabilities and manifests are not answered.</summary>
    public bool Legacy { get; set; }

    /// <summary>Which server to behave like (see <see cref="ServerDialect"/>); todoforai implies <see cref="Legacy"/>.</summary>
    public ServerDialect Dialect { get; set; }

    /// <summary>Workspace paths announced to each edge in a first <c>edge:config_update</c> (none: no such message).</summary>
    public List<string> Workspaces { get; set; } = [];

    /// <summary>A second connection of a connected edge is closed with 4001 instead of replacing the first (which gets 4002).</summary>
    public bool RejectSecondConnection { get; set; }

    /// <summary>Offer binary MessagePack frames (capability <c>msgpack</c>) to an edge that asks for them (not with <see cref="IsLegacy"/>).</summary>
    public bool MessagePack { get; set; } = true;

    /// <summary>Offer XxHash128 content hashes (capability <c>xxh128</c>) to an edge that asks for them (not with <see cref="IsLegacy"/>).</summary>
    public bool XxHash128 { get; set; } = true;

    /// <summary>Offer the digest-first resume (capability <c>manifest-tree</c>; not with <see cref="IsLegacy"/>).</summary>
    public bool ManifestTree { get; set; } = true;

    /// <summary>Accept permessage-deflate when an edge offers it (no context takeover either way).</summary>
    public bool Compression { get; set; } = true;

    /// <summary>No capabilities, no manifests: a legacy server or the todoforai dialect.</summary>
    public bool IsLegacy => Legacy || Dialect == ServerDialect.Todoforai;

    /// <summary>How many non-sync messages are kept per edge for <c>GET /api/edges/{edgeId}/replies</c>.</summary>
    [Range(1, 1_000_000)]
    public int MaxRepliesPerEdge { get; set; } = 1000;

    /// <summary>Interval of WebSocket keep-alive pings. Default 15 s.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// A connection from which nothing has arrived (no frame, fragment, ping or pong) for
    /// <see cref="KeepAliveInterval"/> plus this is dropped. Default 15 s. An edge still uploading
    /// through a slow link keeps its connection however long its pong waits behind that upload.
    /// </summary>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long a send to an edge may take before the connection is aborted. Default 10 s.</summary>
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long stopping waits for edges to acknowledge the close before aborting them. Default 2 s.</summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(2);
}
