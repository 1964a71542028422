using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Workspace.Pipeline;

internal sealed partial class WorkspaceLifecycle
{
    // Event ids: WorkspaceEventIds (300-399). Never log file contents.
    private static partial class Log
    {
        [LoggerMessage(
            WorkspaceEventIds.WorkspaceRefused,
            LogLevel.Error,
            "Workspace {Root} has {Count} files, more than the limit of {Limit}: not synced. Exclude folders in .aishignore or raise --max-files",
            EventName = "WorkspaceRefused"
        )]
        public static partial void WorkspaceRefused(
            ILogger logger,
            string root,
            int count,
            int limit
        );

        [LoggerMessage(
            WorkspaceEventIds.WorkspaceMissing,
            LogLevel.Error,
            "Workspace {Root} does not exist; it will be synced when it reappears",
            EventName = "WorkspaceMissing"
        )]
        public static partial void WorkspaceMissing(ILogger logger, string root);

        [LoggerMessage(
            WorkspaceEventIds.RootChanged,
            LogLevel.Error,
            "Workspace {Root} is no longer the folder it was: {Change}; syncing it stopped",
            EventName = "RootChanged"
        )]
        public static partial void RootChanged(ILogger logger, string root, string change);
    }
}
