using System.Text.Json.Serialization;

namespace FileSync.Protocol;

// Lenient views of the edge -> server payloads, as a server receives them. The records the agent
// sends mark the extension fields `required`; a server must also accept legacy edges, so here
// every field is optional and the server decides what is missing. A field of the wrong JSON type still fails
// deserialization and is answered as a malformed message.

/// <summary><c>workspace:file_create_sync</c> / <c>workspace:file_modify_sync</c> as received.</summary>
public sealed record IncomingFileSync
{
    public string? Path { get; init; }

    /// <summary>The content as JSON carries it: text, or base64 as told by <see cref="Encoding"/>.</summary>
    public string? Content { get; init; }

    /// <summary>The content of a MessagePack frame: the file's bytes (<see cref="Content"/> is then null).</summary>
    [JsonIgnore]
    public ReadOnlyMemory<byte>? RawContent { get; init; }
    public string? EdgeId { get; init; }
    public string? UserId { get; init; }
    public string? Workspace { get; init; }
    public string? RelativePath { get; init; }
    public string? Hash { get; init; }
    public long? Size { get; init; }
    public string? Encoding { get; init; }
}

/// <summary><c>workspace:file_delete_sync</c> as received.</summary>
public sealed record IncomingFileDelete
{
    public string? Path { get; init; }
    public string? EdgeId { get; init; }
    public string? UserId { get; init; }
    public string? Workspace { get; init; }
    public string? RelativePath { get; init; }
}

/// <summary><c>workspace:file_done</c> as received; <see cref="Path"/> is the workspace root.</summary>
public sealed record IncomingFileDone
{
    public string? Path { get; init; }
    public string? Workspace { get; init; }
    public string? EdgeId { get; init; }
    public string? UserId { get; init; }
}

/// <summary><c>workspace:manifest</c> as received; <see cref="Path"/> is the workspace root.</summary>
public sealed record IncomingManifest
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
public sealed record IncomingManifestEntry
{
    public string? RelativePath { get; init; }
    public string? Hash { get; init; }
    public long? Size { get; init; }
}
