namespace FileSync.Server.Protocol;

// Lenient views of the edge -> server payloads. Core's records mark the extension fields
// `required`; a server must also accept legacy edges, so here every field is optional and
// EdgeMessageHandler decides what is missing. A field of the wrong JSON type still fails
// deserialization and is answered as a malformed message.

/// <summary><c>workspace:file_create_sync</c> / <c>workspace:file_modify_sync</c> as received.</summary>
internal sealed record IncomingFileSync
{
    public string? Path { get; init; }
    public string? Content { get; init; }
    public string? EdgeId { get; init; }
    public string? UserId { get; init; }
    public string? Workspace { get; init; }
    public string? RelativePath { get; init; }
    public string? Hash { get; init; }
    public long? Size { get; init; }
    public string? Encoding { get; init; }
}

/// <summary><c>workspace:file_delete_sync</c> as received.</summary>
internal sealed record IncomingFileDelete
{
    public string? Path { get; init; }
    public string? EdgeId { get; init; }
    public string? UserId { get; init; }
    public string? Workspace { get; init; }
    public string? RelativePath { get; init; }
}

/// <summary><c>workspace:file_done</c> as received; <see cref="Path"/> is the workspace root.</summary>
internal sealed record IncomingFileDone
{
    public string? Path { get; init; }
    public string? Workspace { get; init; }
    public string? EdgeId { get; init; }
    public string? UserId { get; init; }
}

/// <summary><c>workspace:manifest</c> as received; <see cref="Path"/> is the workspace root.</summary>
internal sealed record IncomingManifest
{
    public string? Path { get; init; }
    public string? Workspace { get; init; }
    public string? EdgeId { get; init; }
    public string? UserId { get; init; }
    public IReadOnlyList<IncomingManifestEntry?>? Files { get; init; }
    public int? Chunk { get; init; }
    public bool? Last { get; init; }
}

/// <summary>One file of a manifest as received.</summary>
internal sealed record IncomingManifestEntry
{
    public string? RelativePath { get; init; }
    public string? Hash { get; init; }
    public long? Size { get; init; }
}
