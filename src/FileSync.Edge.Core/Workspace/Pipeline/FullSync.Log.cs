using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Workspace.Pipeline;

internal sealed partial class FullSync
{
    // Event ids: WorkspaceEventIds (300-399). Never log file contents.
    private static partial class Log
    {
        [LoggerMessage(
            WorkspaceEventIds.InitialSyncDone,
            LogLevel.Information,
            "Workspace {Workspace}: initial sync done: {Files} files, {Bytes} bytes, {Skipped} skipped ({TooLarge} too large, {Binary} binary), {Errors} unreadable, in {Seconds:F1} s",
            EventName = "InitialSyncDone"
        )]
        public static partial void InitialSyncDone(
            ILogger logger,
            string workspace,
            int files,
            long bytes,
            int skipped,
            int tooLarge,
            int binary,
            int errors,
            double seconds
        );

        [LoggerMessage(
            WorkspaceEventIds.ResyncDone,
            LogLevel.Information,
            "Workspace {Workspace}: re-synced {Files} files by {Method} in {Seconds:F1} s",
            EventName = "ResyncDone"
        )]
        public static partial void ResyncDone(
            ILogger logger,
            string workspace,
            int files,
            string method,
            double seconds
        );

        [LoggerMessage(
            WorkspaceEventIds.WorkspaceResumed,
            LogLevel.Information,
            "Workspace {Root} is syncable again ({Count} files)",
            EventName = "WorkspaceResumed"
        )]
        public static partial void WorkspaceResumed(ILogger logger, string root, int count);

        [LoggerMessage(
            WorkspaceEventIds.ManifestTimedOut,
            LogLevel.Warning,
            "Workspace {Workspace}: the server did not answer the manifest; re-sending everything",
            EventName = "ManifestTimedOut"
        )]
        public static partial void ManifestTimedOut(ILogger logger, string workspace);

        [LoggerMessage(
            WorkspaceEventIds.HashAlgorithmChanged,
            LogLevel.Information,
            "Workspace {Workspace}: the server uses {Algorithm} hashes, the index held {Previous}; reading its {Files} files again",
            EventName = "HashAlgorithmChanged"
        )]
        public static partial void HashAlgorithmChanged(
            ILogger logger,
            string workspace,
            string algorithm,
            string previous,
            int files
        );

        [LoggerMessage(
            WorkspaceEventIds.InitialSyncTimings,
            LogLevel.Information,
            "Workspace {Workspace}: initial sync time: scan {ScanMs:F0} ms, read+hash {IndexPassMs:F0} ms, manifest exchange {ManifestMs:F0} ms, send {SendMs:F0} ms (hash workers: read+hash {ReadHashMs:F0} ms, compress {CompressMs:F0} ms; loop: frame {FrameMs:F0} ms, socket {SocketMs:F0} ms), file_done acknowledged {DoneMs:F0} ms",
            EventName = "InitialSyncTimings"
        )]
        public static partial void InitialSyncTimings(
            ILogger logger,
            string workspace,
            double scanMs,
            double indexPassMs,
            double manifestMs,
            double sendMs,
            double readHashMs,
            double compressMs,
            double frameMs,
            double socketMs,
            double doneMs
        );

        [LoggerMessage(
            WorkspaceEventIds.MemoryFigures,
            LogLevel.Debug,
            "Workspace {Workspace}: memory {Moment}: GC heap {HeapMb:F1} MB after the last collection (large objects {LargeObjectMb:F1} MB), {CommittedMb:F1} MB committed ({FragmentedMb:F1} MB of it free), {AllocatedMb:F0} MB allocated since start, collections gen0/gen1/gen2 {Gen0}/{Gen1}/{Gen2}",
            EventName = "MemoryFigures"
        )]
        public static partial void MemoryFigures(
            ILogger logger,
            string workspace,
            string moment,
            double heapMb,
            double largeObjectMb,
            double committedMb,
            double fragmentedMb,
            double allocatedMb,
            int gen0,
            int gen1,
            int gen2
        );

        /// <summary>The collector's figures now (read only when the debug log is on).</summary>
        public static void MemoryFigures(ILogger logger, string workspace, string moment)
        {
            if (!logger.IsEnabled(LogLevel.Debug))
            {
                return;
            }
            var gc = GcHeapFigures.Now();
            MemoryFigures(
                logger,
                workspace,
                moment,
                gc.HeapMegabytes,
                gc.LargeObjectMegabytes,
                gc.CommittedMegabytes,
                gc.FragmentedMegabytes,
                gc.AllocatedMegabytes,
                gc.Gen0Collections,
                gc.Gen1Collections,
                gc.Gen2Collections
            );
        }
    }
}
