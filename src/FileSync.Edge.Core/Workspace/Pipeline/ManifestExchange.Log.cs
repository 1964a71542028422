using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Workspace.Pipeline;

internal sealed partial class ManifestExchange
{
    // Event ids: WorkspaceEventIds (300-399). Never log file contents.
    private static partial class Log
    {
        [LoggerMessage(
            WorkspaceEventIds.ManifestSent,
            LogLevel.Debug,
            "Workspace {Workspace}: manifest of {Files} files sent in {Chunks} frames",
            EventName = "ManifestSent"
        )]
        public static partial void ManifestSent(
            ILogger logger,
            string workspace,
            int files,
            int chunks
        );

        [LoggerMessage(
            WorkspaceEventIds.ManifestTreeSent,
            LogLevel.Debug,
            "Workspace {Workspace}: digest of {Files} files sent (digest-first resume)",
            EventName = "ManifestTreeSent"
        )]
        public static partial void ManifestTreeSent(ILogger logger, string workspace, int files);

        [LoggerMessage(
            WorkspaceEventIds.TreeListingSent,
            LogLevel.Debug,
            "Workspace {Workspace}: listed {Dirs} directories and {Subtrees} subtrees for the server in {Frames} frames",
            EventName = "TreeListingSent"
        )]
        public static partial void TreeListingSent(
            ILogger logger,
            string workspace,
            int dirs,
            int subtrees,
            int frames
        );
    }
}
