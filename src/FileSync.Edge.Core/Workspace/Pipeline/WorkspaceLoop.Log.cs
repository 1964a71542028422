using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Workspace.Pipeline;

internal sealed partial class WorkspaceLoop
{
    // Event ids: WorkspaceEventIds (300-399). Never log file contents.
    private static partial class Log
    {
        [LoggerMessage(
            WorkspaceEventIds.IgnoreRulesChanged,
            LogLevel.Information,
            "Workspace {Root}: ignore rules changed, rescanning",
            EventName = "IgnoreRulesChanged"
        )]
        public static partial void IgnoreRulesChanged(ILogger logger, string root);

        [LoggerMessage(
            WorkspaceEventIds.DirtySetOverflowed,
            LogLevel.Warning,
            "Workspace {Root}: more than {Limit} changed paths pending, rescanning instead",
            EventName = "DirtySetOverflowed"
        )]
        public static partial void DirtySetOverflowed(ILogger logger, string root, int limit);

        [LoggerMessage(
            WorkspaceEventIds.BatchFailed,
            LogLevel.Error,
            "Workspace {Root}: batch failed; will rescan",
            EventName = "BatchFailed"
        )]
        public static partial void BatchFailed(ILogger logger, string root, Exception exception);
    }
}
