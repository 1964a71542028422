using Microsoft.Extensions.Logging;

namespace FileSync.Server;

/// <summary>
/// Source-generated log messages of the reference server (event ids 1000–1099). File contents
/// and the API key are never logged; paths are logged only after they passed validation.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(
        1000,
        LogLevel.Information,
        "Listening on {Url}, mirroring into {MirrorDirectory}",
        EventName = "Listening"
    )]
    public static partial void Listening(ILogger logger, string url, string mirrorDirectory);

    [LoggerMessage(
        1001,
        LogLevel.Information,
        "Edge {EdgeId} connected from {RemoteAddress}; capabilities: [{Capabilities}]",
        EventName = "EdgeConnected"
    )]
    public static partial void EdgeConnected(
        ILogger logger,
        string edgeId,
        string? remoteAddress,
        string capabilities
    );

    [LoggerMessage(
        1002,
        LogLevel.Information,
        "Edge {EdgeId} disconnected: {Reason}",
        EventName = "EdgeDisconnected"
    )]
    public static partial void EdgeDisconnected(ILogger logger, string edgeId, string reason);

    [LoggerMessage(
        1003,
        LogLevel.Information,
        "Edge {EdgeId} connected again; closing its previous connection",
        EventName = "EdgeReplaced"
    )]
    public static partial void EdgeReplaced(ILogger logger, string edgeId);

    [LoggerMessage(
        1004,
        LogLevel.Warning,
        "Rejected a WebSocket upgrade from {RemoteAddress}: missing or wrong API key",
        EventName = "UpgradeUnauthorized"
    )]
    public static partial void UpgradeUnauthorized(ILogger logger, string? remoteAddress);

    [LoggerMessage(
        1005,
        LogLevel.Debug,
        "Rejected a request to {Path} that is not a WebSocket upgrade",
        EventName = "NotWebSocketRequest"
    )]
    public static partial void NotWebSocketRequest(ILogger logger, string path);

    [LoggerMessage(
        1006,
        LogLevel.Information,
        "Server stopping; closing {Count} edge connection(s)",
        EventName = "ClosingEdges"
    )]
    public static partial void ClosingEdges(ILogger logger, int count);

    [LoggerMessage(
        1007,
        LogLevel.Debug,
        "Closing the connection of edge {EdgeId} failed",
        EventName = "CloseFailed"
    )]
    public static partial void CloseFailed(ILogger logger, string edgeId, Exception exception);

    [LoggerMessage(
        1008,
        LogLevel.Debug,
        "Sending to edge {EdgeId} failed",
        EventName = "SendFailed"
    )]
    public static partial void SendFailed(ILogger logger, string edgeId, Exception exception);

    [LoggerMessage(
        1009,
        LogLevel.Debug,
        "Connection of edge {EdgeId} was lost",
        EventName = "ConnectionLost"
    )]
    public static partial void ConnectionLost(ILogger logger, string edgeId, Exception exception);

    [LoggerMessage(
        1010,
        LogLevel.Debug,
        "Wrote {Workspace}/{RelativePath} ({Bytes} bytes)",
        EventName = "FileWritten"
    )]
    public static partial void FileWritten(
        ILogger logger,
        string workspace,
        string relativePath,
        int bytes
    );

    [LoggerMessage(
        1011,
        LogLevel.Debug,
        "Deleted {Workspace}/{RelativePath}",
        EventName = "FileDeleted"
    )]
    public static partial void FileDeleted(ILogger logger, string workspace, string relativePath);

    [LoggerMessage(
        1012,
        LogLevel.Debug,
        "Delete of {Workspace}/{RelativePath}: nothing to delete",
        EventName = "DeleteNoOp"
    )]
    public static partial void DeleteNoOp(ILogger logger, string workspace, string relativePath);

    [LoggerMessage(
        1013,
        LogLevel.Information,
        "Workspace {Workspace} done",
        EventName = "WorkspaceDone"
    )]
    public static partial void WorkspaceDone(ILogger logger, string workspace);

    [LoggerMessage(
        1014,
        LogLevel.Information,
        "Manifest of {Workspace}: {Files} file(s), deleted {Deleted}, need {Needed}",
        EventName = "ManifestApplied"
    )]
    public static partial void ManifestApplied(
        ILogger logger,
        string workspace,
        int files,
        int deleted,
        int needed
    );

    [LoggerMessage(
        1015,
        LogLevel.Debug,
        "Manifest of {Workspace}: skipped an entry ({Reason})",
        EventName = "ManifestEntrySkipped"
    )]
    public static partial void ManifestEntrySkipped(
        ILogger logger,
        string workspace,
        string reason
    );

    [LoggerMessage(
        1016,
        LogLevel.Error,
        "Could not update {Workspace}/{RelativePath} in the mirror",
        EventName = "MirrorUpdateFailed"
    )]
    public static partial void MirrorUpdateFailed(
        ILogger logger,
        string workspace,
        string relativePath,
        Exception exception
    );

    [LoggerMessage(
        1017,
        LogLevel.Debug,
        "Removed {Workspace}/{Obstacle}: it was in the way of {RelativePath}",
        EventName = "ObstacleRemoved"
    )]
    public static partial void ObstacleRemoved(
        ILogger logger,
        string workspace,
        string obstacle,
        string relativePath
    );

    [LoggerMessage(
        1018,
        LogLevel.Debug,
        "Could not hash {Workspace}/{RelativePath}; treating it as changed",
        EventName = "HashFailed"
    )]
    public static partial void HashFailed(
        ILogger logger,
        string workspace,
        string relativePath,
        Exception exception
    );

    [LoggerMessage(
        1020,
        LogLevel.Warning,
        "Rejected {MessageType} from edge {EdgeId}: {Code} ({Reason})",
        EventName = "MessageRejected"
    )]
    public static partial void MessageRejected(
        ILogger logger,
        string messageType,
        string edgeId,
        string code,
        string reason
    );

    [LoggerMessage(
        1021,
        LogLevel.Warning,
        "Malformed frame from edge {EdgeId}: {Reason}",
        EventName = "MalformedFrame"
    )]
    public static partial void MalformedFrame(ILogger logger, string edgeId, string reason);

    [LoggerMessage(
        1022,
        LogLevel.Warning,
        "Edge {EdgeId} sent a frame over {MaxBytes} bytes; discarded it",
        EventName = "FrameTooLarge"
    )]
    public static partial void FrameTooLarge(ILogger logger, string edgeId, int maxBytes);

    [LoggerMessage(
        1023,
        LogLevel.Debug,
        "Recorded {MessageType} from edge {EdgeId}",
        EventName = "ReplyRecorded"
    )]
    public static partial void ReplyRecorded(ILogger logger, string messageType, string edgeId);

    [LoggerMessage(
        1030,
        LogLevel.Information,
        "Forwarded {MessageType} to edge {EdgeId}",
        EventName = "CommandForwarded"
    )]
    public static partial void CommandForwarded(ILogger logger, string messageType, string edgeId);

    [LoggerMessage(
        1031,
        LogLevel.Debug,
        "Command for edge {EdgeId} answered {StatusCode}: {Reason}",
        EventName = "CommandRejected"
    )]
    public static partial void CommandRejected(
        ILogger logger,
        string edgeId,
        int statusCode,
        string reason
    );

    [LoggerMessage(
        1040,
        LogLevel.Error,
        "Connection of edge {EdgeId} ended by an unexpected error",
        EventName = "SessionFailed"
    )]
    public static partial void SessionFailed(ILogger logger, string edgeId, Exception exception);

    [LoggerMessage(
        1019,
        LogLevel.Debug,
        "Dropped {Type} from a replaced connection of edge {EdgeId}",
        EventName = "StaleFrameDropped"
    )]
    public static partial void StaleFrameDropped(ILogger logger, string type, string edgeId);

    [LoggerMessage(
        1024,
        LogLevel.Information,
        "Edge {EdgeId} connected a second time; the new connection is refused (4001)",
        EventName = "EdgeRejectedAsDuplicate"
    )]
    public static partial void EdgeRejectedAsDuplicate(ILogger logger, string edgeId);

    [LoggerMessage(
        1025,
        LogLevel.Information,
        "Edge {EdgeId}, workspace {Workspace}: digest matches the mirror's {Files} files; nothing to send",
        EventName = "TreeMatched"
    )]
    public static partial void TreeMatched(
        ILogger logger,
        string edgeId,
        string workspace,
        int files
    );

    [LoggerMessage(
        1026,
        LogLevel.Information,
        "Edge {EdgeId}, workspace {Workspace}: tree of {Files} files resolved in {Rounds} rounds",
        EventName = "TreeResolved"
    )]
    public static partial void TreeResolved(
        ILogger logger,
        string edgeId,
        string workspace,
        int files,
        int rounds
    );

    [LoggerMessage(
        1032,
        LogLevel.Warning,
        "Edge {EdgeId}: no answer to keepalive ping within {Seconds} s (nothing received); dropping the connection",
        EventName = "KeepAliveExpired"
    )]
    public static partial void KeepAliveExpired(ILogger logger, string edgeId, double seconds);

    [LoggerMessage(
        1041,
        LogLevel.Information,
        "Workspace {Workspace}: applied {Files} files since the last file_done: parse {ParseMs:F0} ms, decode {DecodeMs:F0} ms, verify {VerifyMs:F0} ms, write {WriteMs:F0} ms",
        EventName = "ApplyTimings"
    )]
    public static partial void ApplyTimings(
        ILogger logger,
        string workspace,
        int files,
        double parseMs,
        double decodeMs,
        double verifyMs,
        double writeMs
    );
}
