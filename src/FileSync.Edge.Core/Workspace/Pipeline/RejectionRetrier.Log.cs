using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Workspace.Pipeline;

internal sealed partial class RejectionRetrier
{
    // Event ids: WorkspaceEventIds (300-399). Never log file contents.
    private static partial class Log
    {
        [LoggerMessage(
            WorkspaceEventIds.ServerRejectedFile,
            LogLevel.Warning,
            "Workspace {Root}: the server could not apply {Path} ({Code}: {Reason}); {Action}",
            EventName = "ServerRejectedFile"
        )]
        public static partial void ServerRejectedFile(
            ILogger logger,
            string root,
            string path,
            string code,
            string reason,
            string action
        );

        [LoggerMessage(
            WorkspaceEventIds.ServerRejectedFileAgain,
            LogLevel.Debug,
            "Workspace {Root}: the server could not apply {Path} ({Code}) again, {Attempts} times so far; next try in {Seconds} s (0: when it changes)",
            EventName = "ServerRejectedFileAgain"
        )]
        public static partial void ServerRejectedFileAgain(
            ILogger logger,
            string root,
            string path,
            string code,
            int attempts,
            double seconds
        );

        [LoggerMessage(
            WorkspaceEventIds.ServerAppliedFile,
            LogLevel.Information,
            "Workspace {Root}: the server applied {Path} after failing before",
            EventName = "ServerAppliedFile"
        )]
        public static partial void ServerAppliedFile(ILogger logger, string root, string path);
    }
}
