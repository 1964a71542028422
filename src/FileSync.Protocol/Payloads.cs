using System.Text.Json.Serialization;

namespace FileSync.Protocol;

// One record per payload. Field names are camelCase on the wire (JsonSerializerDefaults.Web);
// legacy names that differ are pinned with [JsonPropertyName].

/// <summary>Payload of <c>workspace:file_create_sync</c> and <c>workspace:file_modify_sync</c>.</summary>
public sealed record FileSyncPayload
{
    /// <summary>Absolute path of the file on the edge (legacy field).</summary>
    public required string Path { get; init; }

    /// <summary>File content, UTF-8 text or base64 as told by <see cref="Encoding"/>.</summary>
    public required string Content { get; init; }
    public string? EdgeId { get; init; }
    public string? UserId { get; init; }

    /// <summary>Absolute path of the workspace root.</summary>
    public required string Workspace { get; init; }

    /// <summary>Path relative to the workspace root, '/' separated.</summary>
    public required string RelativePath { get; init; }

    /// <summary>SHA-256 of the raw bytes, lowercase hex.</summary>
    public required string Hash { get; init; }
    public required long Size { get; init; }
    public required string Encoding { get; init; }
}

/// <summary>Payload of <c>workspace:file_delete_sync</c>.</summary>
public sealed record FileDeletePayload
{
    public required string Path { get; init; }
    public string? EdgeId { get; init; }
    public string? UserId { get; init; }
    public required string Workspace { get; init; }
    public required string RelativePath { get; init; }
}

/// <summary>Payload of <c>workspace:file_done</c>.</summary>
public sealed record FileDonePayload
{
    /// <summary>Absolute path of the workspace root.</summary>
    public required string Path { get; init; }
    public string? EdgeId { get; init; }
    public string? UserId { get; init; }
    public required SyncStats Stats { get; init; }
}

/// <summary>Counts of a full sync, under our camelCase keys and the todoforai backend's snake_case ones.</summary>
public sealed record SyncStats
{
    public int FilesSynced { get; init; }
    public int FilesSkipped { get; init; }
    public int SyncErrors { get; init; }
    public long BytesSynced { get; init; }

    [JsonPropertyName("files_synced")]
    public int FilesSyncedSnakeCase => FilesSynced;

    [JsonPropertyName("files_skipped")]
    public int FilesSkippedSnakeCase => FilesSkipped;

    [JsonPropertyName("sync_errors")]
    public int SyncErrorsSnakeCase => SyncErrors;

    [JsonPropertyName("bytes_synced")]
    public long BytesSyncedSnakeCase => BytesSynced;
}

/// <summary>Payload of <c>workspace:sync_error</c>.</summary>
public sealed record SyncErrorPayload
{
    public required string Path { get; init; }
    public required string Code { get; init; }
    public required string Message { get; init; }
    public string? EdgeId { get; init; }
    public string? UserId { get; init; }
    public int? Count { get; init; }
    public int? Limit { get; init; }
}

/// <summary>Payload of <c>connected_edge</c>. A null <see cref="Capabilities"/> means a legacy server.</summary>
public sealed record ConnectedEdgePayload
{
    public string? EdgeId { get; init; }
    public string? UserId { get; init; }
    public IReadOnlyList<string>? Capabilities { get; init; }
}

/// <summary>Payload of <c>error</c>, in both directions.</summary>
public sealed record ErrorPayload
{
    public required string Message { get; init; }
    public string? Code { get; init; }

    /// <summary>The type of the command this answers, when it had one (edge → server).</summary>
    public string? Command { get; init; }

    /// <summary>The <c>requestId</c> of the command this answers, when it had a readable one (edge → server).</summary>
    public string? RequestId { get; init; }

    /// <summary>The type of the edge message the server could not apply (server → edge).</summary>
    public string? MessageType { get; init; }

    /// <summary>The <c>path</c> of that message (server → edge).</summary>
    public string? Path { get; init; }

    /// <summary>The <c>relativePath</c> of that message (server → edge).</summary>
    public string? RelativePath { get; init; }
}

/// <summary>Payload of <c>edge:config_update</c>.</summary>
public sealed record ConfigUpdatePayload
{
    /// <summary>The edge the update is for; one naming another edge is ignored.</summary>
    public string? EdgeId { get; init; }

    [JsonPropertyName("workspacepaths")]
    public IReadOnlyList<string>? WorkspacePaths { get; init; }

    // The todoforai backend's other config fields: sent by the reference server in that shape, ignored by the agent.
    public string? Name { get; init; }
    public string? OwnerId { get; init; }
    public bool? IsShellEnabled { get; init; }
    public bool? IsFileSystemEnabled { get; init; }
}

/// <summary>Payload of <c>workspace:sync_start</c>, <c>workspace:sync_stop</c>, <c>workspace:resync</c>, <c>workspace:file_done_ack</c>.</summary>
public sealed record WorkspacePathPayload
{
    public string? Path { get; init; }
}

/// <summary>Payload of <c>workspace:manifest</c>: what the edge has, possibly in several chunks.</summary>
public sealed record ManifestPayload
{
    public required string Path { get; init; }
    public string? EdgeId { get; init; }
    public string? UserId { get; init; }
    public required IReadOnlyList<ManifestEntry> Files { get; init; }

    /// <summary>Zero-based chunk index; the manifest is complete when <see cref="Last"/> is true.</summary>
    public int Chunk { get; init; }
    public bool Last { get; init; } = true;
}

public sealed record ManifestEntry(string RelativePath, string Hash, long Size);

/// <summary>Payload of <c>workspace:manifest_diff</c>: the relative paths the server needs, and those it cannot store.</summary>
public sealed record ManifestDiffPayload
{
    public string? Path { get; init; }
    public IReadOnlyList<string>? Need { get; init; }

    /// <summary>Manifest entries the server refused (a name it cannot store), each with the rule; absent = none.</summary>
    public IReadOnlyList<ManifestRefusal>? Refused { get; init; }
}

/// <summary>One manifest entry the server will not store, with its error code and the rule that refused it.</summary>
public sealed record ManifestRefusal(string RelativePath, string Code, string Message);

/// <summary>Payload of <c>file:chunk_request</c> and <c>frontend:file_chunk_request</c> (other fields are echoed back).</summary>
public sealed record ChunkRequestPayload
{
    /// <summary>Absolute, or relative to <see cref="RootPath"/> (then each of <see cref="FallbackRootPaths"/>).</summary>
    public string? Path { get; init; }
    public string? RequestId { get; init; }
    public string? RootPath { get; init; }
    public IReadOnlyList<string?>? FallbackRootPaths { get; init; }
}

/// <summary>Payload of <c>file:chunk_result</c> and <c>frontend:file_chunk_result</c>: content or error, plus the request's fields.</summary>
public sealed record ChunkResultPayload
{
    public string? RequestId { get; init; }
    public string? Path { get; init; }

    /// <summary>The absolute path that was read (the todoforai clients' field).</summary>
    [JsonPropertyName("full_path")]
    public string? FullPath { get; init; }
    public string? Content { get; init; }

    [JsonPropertyName("content_type")]
    public string? ContentType { get; init; }
    public string? Encoding { get; init; }
    public string? Error { get; init; }
    public string? Code { get; init; }
}

/// <summary>Payload of <c>edge:status_request</c>.</summary>
public sealed record StatusRequestPayload
{
    public string? RequestId { get; init; }
}

/// <summary>Payload of <c>edge:status</c>.</summary>
public sealed record EdgeStatusPayload
{
    public string? RequestId { get; init; }
    public string? EdgeId { get; init; }
    public required string Version { get; init; }
    public double ConnectedSeconds { get; init; }
    public required IReadOnlyList<WorkspaceStatus> Workspaces { get; init; }
}

public sealed record WorkspaceStatus
{
    public required string Path { get; init; }
    public required string State { get; init; }
    public int Files { get; init; }
    public long Bytes { get; init; }
    public int Skipped { get; init; }

    /// <summary>Files whose content the agent has read since it started (a measure of re-reading).</summary>
    public long FilesRead { get; init; }

    /// <summary>Files and directories that could not be read (permission denied, I/O errors) or that the server could not apply.</summary>
    public int Errors { get; init; }
    public string? LastError { get; init; }

    /// <summary>The failing files by name (at most <see cref="MaxListedFiles"/>; a directory ends in '/').</summary>
    public IReadOnlyList<FileProblem>? ErrorFiles { get; init; }

    /// <summary>The skipped files by name, with the reason (at most <see cref="MaxListedFiles"/>).</summary>
    public IReadOnlyList<FileProblem>? SkippedFiles { get; init; }

    /// <summary>Changes of the last full sync sent but not yet confirmed by the server (its acknowledgement, or the socket drained).</summary>
    public int InFlightFiles { get; init; }

    /// <summary>Bytes of ours the network has not taken yet while that confirmation is awaited.</summary>
    public long InFlightBytes { get; init; }

    /// <summary>Files the agent's secret guard withheld (credentials by name or content): never sent.</summary>
    public int Withheld { get; init; }

    /// <summary>The withheld files by name, with the guard's rule id (at most <see cref="MaxListedFiles"/>); never their content.</summary>
    public IReadOnlyList<FileProblem>? WithheldFiles { get; init; }

    /// <summary>How far the running full sync (initial sync, resync, re-sync after a reconnect) is; null when none runs.</summary>
    public WorkspaceSyncProgress? Progress { get; init; }

    /// <summary>Most entries <see cref="ErrorFiles"/> and <see cref="SkippedFiles"/> list.</summary>
    public const int MaxListedFiles = 100;
}

/// <summary>A running full sync's files and bytes done (sent, or found on the server already) of the totals its scan found.</summary>
public sealed record WorkspaceSyncProgress
{
    public int FilesDone { get; init; }

    /// <summary>Files the scan found to check (0 while the scan runs).</summary>
    public int FilesTotal { get; init; }

    public long BytesDone { get; init; }

    public long BytesTotal { get; init; }
}

/// <summary>A file that is not synced, and why: <c>too_large</c>, <c>binary</c>, <c>not_utf8</c>, <c>invalid_name</c>, or an error text.</summary>
public sealed record FileProblem(string Path, string Reason);

/// <summary>Payload of <c>ctx:workspace_request</c> (other fields are echoed back).</summary>
public sealed record WorkspaceRequestPayload
{
    public string? Path { get; init; }
    public string? RequestId { get; init; }
    public string? UserId { get; init; }
    public string? AgentId { get; init; }
}

/// <summary>
/// Payload of <c>ctx:workspace_result</c>: the filtered, synced file list of a workspace (ours: relative
/// <see cref="Files"/>), and the todoforai backend's fields: absolute <c>project_files</c>,
/// <c>filtered_files</c>, <c>filtered_dirs</c>, with <c>userId</c> and <c>agentId</c> echoed.
/// </summary>
public sealed record WorkspaceResultPayload
{
    public string? RequestId { get; init; }
    public required string Path { get; init; }
    public IReadOnlyList<string>? Files { get; init; }
    public string? Error { get; init; }
    public string? Code { get; init; }
    public string? UserId { get; init; }
    public string? AgentId { get; init; }

    [JsonPropertyName("project_files")]
    public IReadOnlyList<string>? ProjectFiles { get; init; }

    [JsonPropertyName("filtered_files")]
    public IReadOnlyList<string>? FilteredFiles { get; init; }

    [JsonPropertyName("filtered_dirs")]
    public IReadOnlyList<string>? FilteredDirs { get; init; }
}
