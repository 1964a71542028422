using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Workspace.Pipeline;

internal sealed partial class WatcherSupervisor
{
    // Event ids: WorkspaceEventIds (300-399). Never log file contents.
    private static partial class Log
    {
        [LoggerMessage(
            WorkspaceEventIds.WatcherStartFailed,
            LogLevel.Warning,
            "Workspace {Root}: {Reason}; changes are picked up by periodic rescans only",
            EventName = "WatcherStartFailed"
        )]
        public static partial void WatcherStartFailed(ILogger logger, string root, string reason);

        [LoggerMessage(
            WorkspaceEventIds.WatchLimitReached,
            LogLevel.Warning,
            "Workspace {Root}: the inotify watch limit is reached; raise it with 'sudo sysctl fs.inotify.max_user_watches=524288' (and fs.inotify.max_user_instances). Until then this workspace is rescanned every {Seconds} s",
            EventName = "WatchLimitReached"
        )]
        public static partial void WatchLimitReached(ILogger logger, string root, double seconds);
    }
}
