using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Workspace.Pipeline;

internal sealed partial class SyncActionApplier
{
    // Event ids: WorkspaceEventIds (300-399). Never log file contents.
    private static partial class Log
    {
        [LoggerMessage(
            WorkspaceEventIds.FileSkipped,
            LogLevel.Debug,
            "Skipped {Path}: {Reason} ({Size} bytes)",
            EventName = "FileSkipped"
        )]
        public static partial void FileSkipped(
            ILogger logger,
            string path,
            string reason,
            long size
        );

        [LoggerMessage(
            WorkspaceEventIds.FileUnreadable,
            LogLevel.Warning,
            "Workspace {Root}: cannot read {Path}: {Reason}; will retry when it changes",
            EventName = "FileUnreadable"
        )]
        public static partial void FileUnreadable(
            ILogger logger,
            string root,
            string path,
            string reason
        );

        [LoggerMessage(
            WorkspaceEventIds.FileUnstable,
            LogLevel.Debug,
            "{Path} changed while being read; re-checking in the next batch",
            EventName = "FileUnstable"
        )]
        public static partial void FileUnstable(ILogger logger, string path);

        [LoggerMessage(
            WorkspaceEventIds.FileNoLongerSynced,
            LogLevel.Information,
            "Workspace {Root}: {Path} is no longer synced ({Reason}, {Size} bytes); removed from the server",
            EventName = "FileNoLongerSynced"
        )]
        public static partial void FileNoLongerSynced(
            ILogger logger,
            string root,
            string path,
            string reason,
            long size
        );

        [LoggerMessage(
            WorkspaceEventIds.FileDecision,
            LogLevel.Trace,
            "Decide {Path}: read {Status}, indexed {Indexed}, on server {OnServer}, index only {IndexOnly}, resend {ResendAll}",
            EventName = "FileDecision",
            SkipEnabledCheck = true
        )]
        public static partial void FileDecision(
            ILogger logger,
            string path,
            string status,
            bool indexed,
            bool onServer,
            bool indexOnly,
            bool resendAll
        );

        [LoggerMessage(
            WorkspaceEventIds.FileWithheld,
            LogLevel.Warning,
            "Workspace {Workspace}: {Path} withheld by the secret guard, rule {Rule} ({Description}): {Action}. To send it anyway, add it to Sync:SecretGuardAllow in the config file",
            EventName = "FileWithheld"
        )]
        public static partial void FileWithheld(
            ILogger logger,
            string workspace,
            string path,
            string rule,
            string description,
            string action
        );

        [LoggerMessage(
            WorkspaceEventIds.SpellingReplaced,
            LogLevel.Information,
            "Workspace {Root}: {OldPath} is now spelled {Path} (a case or Unicode-form rename): the old spelling is deleted on the server",
            EventName = "SpellingReplaced"
        )]
        public static partial void SpellingReplaced(
            ILogger logger,
            string root,
            string oldPath,
            string path
        );
    }
}
