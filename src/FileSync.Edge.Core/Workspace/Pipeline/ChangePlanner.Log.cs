using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Workspace.Pipeline;

internal sealed partial class ChangePlanner
{
    // Event ids: WorkspaceEventIds (300-399). Never log file contents.
    private static partial class Log
    {
        [LoggerMessage(
            WorkspaceEventIds.DirectoryUnreadable,
            LogLevel.Warning,
            "Workspace {Root}: cannot list directory {Path}: {Reason}",
            EventName = "DirectoryUnreadable"
        )]
        public static partial void DirectoryUnreadable(
            ILogger logger,
            string root,
            string path,
            string reason
        );

        [LoggerMessage(
            WorkspaceEventIds.InvalidNameSkipped,
            LogLevel.Warning,
            "Workspace {Root}: skipped {Path}: its name is not valid UTF-8, which the protocol cannot carry; rename it to sync it",
            EventName = "InvalidNameSkipped"
        )]
        public static partial void InvalidNameSkipped(ILogger logger, string root, string path);

        [LoggerMessage(
            WorkspaceEventIds.NameConflictSkipped,
            LogLevel.Warning,
            "Workspace {Root}: skipped {Path}: another file of its folder has the same name in another Unicode form (NFC/NFD), and the protocol carries one; rename one of them to sync both",
            EventName = "NameConflictSkipped"
        )]
        public static partial void NameConflictSkipped(ILogger logger, string root, string path);
    }
}
