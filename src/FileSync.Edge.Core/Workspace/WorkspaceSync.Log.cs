using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Workspace;

public sealed partial class WorkspaceSync
{
    // Event ids: WorkspaceEventIds (300-399). Never log file contents.
    private static partial class Log
    {
        [LoggerMessage(
            WorkspaceEventIds.Paused,
            LogLevel.Information,
            "Workspace {Root}: paused; changes are tracked and sent on resume",
            EventName = "Paused"
        )]
        public static partial void Paused(ILogger logger, string root);

        [LoggerMessage(
            WorkspaceEventIds.Resumed,
            LogLevel.Information,
            "Workspace {Root}: resumed",
            EventName = "Resumed"
        )]
        public static partial void Resumed(ILogger logger, string root);
    }
}
