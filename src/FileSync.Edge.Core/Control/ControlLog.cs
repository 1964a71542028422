using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Control;

/// <summary>
/// The control stage's log events, ids 400-499, in one place so ids stay unique. Every part of the
/// stage logs through the dispatcher's logger (category <see cref="ControlDispatcher"/>). Text from the
/// server is passed through <c>LogText.Clean</c> first.
/// </summary>
internal static partial class ControlLog
{
    [LoggerMessage(
        400,
        LogLevel.Debug,
        "Ignored unknown command type '{Type}'",
        EventName = "UnknownCommand"
    )]
    public static partial void UnknownCommand(ILogger logger, string type);

    [LoggerMessage(
        401,
        LogLevel.Warning,
        "Rejected a command ({Code}): {Reason}",
        EventName = "CommandRejected"
    )]
    public static partial void CommandRejected(ILogger logger, string code, string reason);

    [LoggerMessage(
        402,
        LogLevel.Warning,
        "Refused to read '{Path}' for the server: {Reason}",
        EventName = "PathRefused"
    )]
    public static partial void PathRefused(ILogger logger, string path, string reason);

    [LoggerMessage(403, LogLevel.Error, "Command '{Type}' failed", EventName = "CommandFailed")]
    public static partial void CommandFailed(ILogger logger, string type, Exception exception);

    [LoggerMessage(
        404,
        LogLevel.Debug,
        "'{Type}' names no active workspace: {Path}",
        EventName = "UnknownWorkspace"
    )]
    public static partial void UnknownWorkspace(ILogger logger, string type, string path);

    [LoggerMessage(
        405,
        LogLevel.Warning,
        "Refused a workspace command ({Code}): {Reason}",
        EventName = "WorkspaceRefused"
    )]
    public static partial void WorkspaceRefused(ILogger logger, string code, string reason);

    [LoggerMessage(
        406,
        LogLevel.Warning,
        "Could not remember the server's workspace choice: {Reason}",
        EventName = "WorkspaceListNotSaved"
    )]
    public static partial void WorkspaceListNotSaved(ILogger logger, string reason);

    [LoggerMessage(
        407,
        LogLevel.Warning,
        "The server reported an error about '{Type}' ({Code}): {Reason}",
        EventName = "ServerError"
    )]
    public static partial void ServerError(ILogger logger, string type, string code, string reason);

    [LoggerMessage(
        408,
        LogLevel.Debug,
        "Ignored an edge:config_update for another edge ({EdgeId})",
        EventName = "ConfigForAnotherEdge"
    )]
    public static partial void ConfigForAnotherEdge(ILogger logger, string edgeId);
}
