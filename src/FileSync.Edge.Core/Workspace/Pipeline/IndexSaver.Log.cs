using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Workspace.Pipeline;

internal sealed partial class IndexSaver
{
    // Event ids: WorkspaceEventIds (300-399). Never log file contents.
    private static partial class Log
    {
        [LoggerMessage(
            WorkspaceEventIds.IndexRestored,
            LogLevel.Information,
            "Workspace {Workspace}: restored the saved index of {Files} files",
            EventName = "IndexRestored"
        )]
        public static partial void IndexRestored(ILogger logger, string workspace, int files);

        [LoggerMessage(
            WorkspaceEventIds.IndexDiscarded,
            LogLevel.Warning,
            "Workspace {Workspace}: ignored the saved index ({Problem}); rebuilding it",
            EventName = "IndexDiscarded"
        )]
        public static partial void IndexDiscarded(ILogger logger, string workspace, string problem);

        [LoggerMessage(
            WorkspaceEventIds.IndexSaveFailed,
            LogLevel.Warning,
            "Workspace {Workspace}: could not save the index: {Reason}",
            EventName = "IndexSaveFailed"
        )]
        public static partial void IndexSaveFailed(ILogger logger, string workspace, string reason);
    }
}
