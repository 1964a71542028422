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
    /// When set, a WebSocket upgrade must carry <c>Authorization: Bearer &lt;key&gt;</c> or it gets HTTP 401.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>Behave like a legacy server: <c>connected_edge</c> has no capabilities and manifests are not answered.</summary>
    public bool Legacy { get; set; }

    /// <summary>How many non-sync messages are kept per edge for <c>GET /api/edges/{edgeId}/replies</c>.</summary>
    [Range(1, 1_000_000)]
    public int MaxRepliesPerEdge { get; set; } = 1000;

    /// <summary>Interval of WebSocket keep-alive pings. Default 15 s.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long a ping may stay unanswered before the connection is dropped. Default 15 s.</summary>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long a send to an edge may take before the connection is aborted. Default 10 s.</summary>
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long stopping waits for edges to acknowledge the close before aborting them. Default 2 s.</summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(2);
}
