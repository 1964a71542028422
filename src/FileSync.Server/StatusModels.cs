namespace FileSync.Server;

// Shapes of GET /api/status (DESIGN.md §4). Fields may be added, never renamed.

/// <summary>Body of <c>GET /api/status</c>.</summary>
public sealed record ServerStatus
{
    /// <summary>Edges connected right now.</summary>
    public IReadOnlyList<EdgeConnectionStatus> Edges { get; init; } = [];

    /// <summary>Workspaces the server has received messages for since it started, by name.</summary>
    public IReadOnlyList<WorkspaceMirrorStatus> Workspaces { get; init; } = [];
}

/// <summary>One connected edge.</summary>
public sealed record EdgeConnectionStatus
{
    public string EdgeId { get; init; } = "";

    /// <summary>Capabilities the server announced to this edge (empty for a legacy server).</summary>
    public IReadOnlyList<string> Capabilities { get; init; } = [];
    public DateTimeOffset ConnectedAt { get; init; }

    /// <summary><c>json</c> or <c>msgpack</c>: how frames after <c>connected_edge</c> are encoded.</summary>
    public string Wire { get; init; } = "json";

    /// <summary>Whether permessage-deflate was negotiated.</summary>
    public bool Compressed { get; init; }
}

/// <summary>One mirrored workspace.</summary>
public sealed record WorkspaceMirrorStatus
{
    /// <summary>Folder name under the mirror directory.</summary>
    public string Name { get; init; } = "";

    /// <summary>Absolute path of the workspace on the edge, as last reported.</summary>
    public string Path { get; init; } = "";

    /// <summary>Files currently in the mirror folder.</summary>
    public int Files { get; init; }

    /// <summary>Bytes currently in the mirror folder.</summary>
    public long Bytes { get; init; }

    /// <summary>
    /// True once <c>workspace:file_done</c> arrived; reset to false when a new manifest starts,
    /// so it means "the current sync pass is complete".
    /// </summary>
    public bool Done { get; init; }

    /// <summary>Messages applied since the server started.</summary>
    public ReceivedCounters Received { get; init; } = new();
}

/// <summary>Messages applied for one workspace since the server started (rejected ones are not counted).</summary>
public sealed record ReceivedCounters
{
    public long Create { get; init; }
    public long Modify { get; init; }
    public long Delete { get; init; }
    public long Done { get; init; }

    /// <summary><c>workspace:manifest</c> messages, each chunk counted.</summary>
    public long Manifest { get; init; }

    /// <summary>Sum of the decoded content bytes of applied creates and modifies.</summary>
    public long ContentBytes { get; init; }
}
