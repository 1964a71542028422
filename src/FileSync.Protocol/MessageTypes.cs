namespace FileSync.Protocol;

/// <summary>Wire names of every message type (protocol v1, see Protocol/README.md).</summary>
public static class MessageTypes
{
    // Edge -> server (legacy names kept).
    public const string FileCreateSync = "workspace:file_create_sync";
    public const string FileModifySync = "workspace:file_modify_sync";
    public const string FileDeleteSync = "workspace:file_delete_sync";
    public const string FileDone = "workspace:file_done";

    // Edge -> server (extensions).
    public const string SyncError = "workspace:sync_error";
    public const string Manifest = "workspace:manifest";
    public const string ManifestTree = "workspace:manifest_tree";
    public const string TreeListing = "workspace:tree_listing";
    public const string ChunkResult = "file:chunk_result";
    public const string FrontendChunkResult = "frontend:file_chunk_result";
    public const string EdgeStatus = "edge:status";
    public const string WorkspaceResult = "ctx:workspace_result";

    // Server -> edge.
    public const string ConnectedEdge = "connected_edge";
    public const string Error = "error";

    /// <summary>The todoforai backend's error frame: <c>ERROR {message}</c>, handled like <see cref="Error"/>.</summary>
    public const string ErrorUpperCase = "ERROR";
    public const string ConfigUpdate = "edge:config_update";
    public const string SyncStart = "workspace:sync_start";
    public const string SyncStop = "workspace:sync_stop";
    public const string Resync = "workspace:resync";
    public const string ManifestDiff = "workspace:manifest_diff";

    /// <summary>Capability <see cref="Capabilities.DoneAck"/>: the server has applied everything before a <c>file_done</c> ({path}).</summary>
    public const string FileDoneAck = "workspace:file_done_ack";
    public const string TreeRequest = "workspace:tree_request";
    public const string ChunkRequest = "file:chunk_request";

    /// <summary>The todoforai frontend's file read, answered like <see cref="ChunkRequest"/> with <see cref="FrontendChunkResult"/>.</summary>
    public const string FrontendChunkRequest = "frontend:file_chunk_request";
    public const string StatusRequest = "edge:status_request";
    public const string WorkspaceRequest = "ctx:workspace_request";
}

/// <summary>Capability names announced by the server in <c>connected_edge</c>.</summary>
public static class Capabilities
{
    public const string Manifest = "manifest";

    /// <summary>Binary MessagePack frames in both directions (see README.md, "Binary frames").</summary>
    public const string MessagePack = "msgpack";

    /// <summary>Digest-first resume: <c>workspace:manifest_tree</c> instead of the flat manifest (README.md).</summary>
    public const string ManifestTree = "manifest-tree";

    /// <summary>
    /// File hashes are XxHash128 instead of SHA-256 (README.md, "Content hash"): the edge lists it in
    /// <see cref="EdgeCapabilities.HeaderName"/>, the server announces it only to such an edge.
    /// </summary>
    public const string XxHash128 = "xxh128";

    /// <summary>
    /// The server answers each <c>workspace:file_done</c>, once it has applied it and everything sent
    /// before it, with <c>workspace:file_done_ack {path}</c> (the path as the edge sent it).
    /// </summary>
    public const string DoneAck = "done-ack";
}

/// <summary>Values of the <c>encoding</c> field of a file sync payload.</summary>
public static class ContentEncodings
{
    public const string Utf8 = "utf8";
    public const string Base64 = "base64";

    /// <summary>MessagePack frames only: <c>content</c> is the file's bytes (<c>bin</c>).</summary>
    public const string Raw = "raw";

    /// <summary>MessagePack frames only: <c>content</c> is the file's bytes compressed with Brotli; <c>size</c> is the file's.</summary>
    public const string Brotli = "br";
}

/// <summary>Values of the <c>code</c> field of <c>workspace:sync_error</c> and <c>error</c>.</summary>
public static class ErrorCodes
{
    public const string TooManyFiles = "too_many_files";
    public const string NotFound = "not_found";
    public const string ForbiddenPath = "forbidden_path";
    public const string Unreadable = "unreadable";
    public const string TooLarge = "too_large";
    public const string Binary = "binary";

    /// <summary>The agent's secret guard withholds the file (a credential by name or content); the answer names the rule, never the content.</summary>
    public const string Withheld = "withheld";
    public const string MalformedMessage = "malformed_message";
    public const string InvalidPayload = "invalid_payload";
    public const string Unauthorized = "unauthorized";
    public const string InternalError = "internal_error";

    /// <summary>The server cannot store a file under this name (a rule of its own OS or file system); retrying does not help.</summary>
    public const string UnsupportedName = "unsupported_name";

    /// <summary>The server could not write the file (for example its disk is full); retried.</summary>
    public const string WriteFailed = "write_failed";

    /// <summary>The file name cannot be carried by the protocol (not valid UTF-8): skipped on the edge.</summary>
    public const string InvalidName = "invalid_name";

    /// <summary>Text that is not valid UTF-8, for a server that stores text only.</summary>
    public const string NotUtf8 = "not_utf8";

    /// <summary>The workspace root turned into a link or another folder while the agent ran: syncing it stopped.</summary>
    public const string RootChanged = "root_changed";
}
