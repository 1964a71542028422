using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Workspace;

public sealed partial class WorkspaceRegistry
{
    // Event ids: WorkspaceEventIds (300-399).
    private static partial class Log
    {
        [LoggerMessage(
            WorkspaceEventIds.SecretGuardOff,
            LogLevel.Warning,
            "The secret guard is off (Sync:SecretGuard false): credential files and files holding keys or tokens are sent like any other file",
            EventName = "SecretGuardOff"
        )]
        public static partial void SecretGuardOff(ILogger logger);

        [LoggerMessage(
            WorkspaceEventIds.SecretGuardAllows,
            LogLevel.Information,
            "The secret guard lets these paths through (Sync:SecretGuardAllow): {Patterns}",
            EventName = "SecretGuardAllows"
        )]
        public static partial void SecretGuardAllows(ILogger logger, string patterns);

        [LoggerMessage(
            WorkspaceEventIds.WorkspaceAdded,
            LogLevel.Information,
            "Syncing workspace {Root}",
            EventName = "WorkspaceAdded"
        )]
        public static partial void WorkspaceAdded(ILogger logger, string root);

        [LoggerMessage(
            WorkspaceEventIds.WorkspaceRemoved,
            LogLevel.Information,
            "Stopped syncing workspace {Root}",
            EventName = "WorkspaceRemoved"
        )]
        public static partial void WorkspaceRemoved(ILogger logger, string root);
    }
}
