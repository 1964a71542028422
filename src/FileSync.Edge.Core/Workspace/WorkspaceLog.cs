using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Workspace;

/// <summary>The log messages of a workspace's sync (event ids 300-399), shared by its stages.</summary>
internal static partial class WorkspaceLog
{
    [LoggerMessage(
        300,
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
        301,
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
        302,
        LogLevel.Error,
        "Workspace {Root} has {Count} files, more than the limit of {Limit}: not synced. Exclude folders in .aishignore or raise --max-files",
        EventName = "WorkspaceRefused"
    )]
    public static partial void WorkspaceRefused(ILogger logger, string root, int count, int limit);

    [LoggerMessage(
        303,
        LogLevel.Information,
        "Workspace {Root} is syncable again ({Count} files)",
        EventName = "WorkspaceResumed"
    )]
    public static partial void WorkspaceResumed(ILogger logger, string root, int count);

    [LoggerMessage(
        304,
        LogLevel.Error,
        "Workspace {Root} does not exist; it will be synced when it reappears",
        EventName = "WorkspaceMissing"
    )]
    public static partial void WorkspaceMissing(ILogger logger, string root);

    [LoggerMessage(
        305,
        LogLevel.Debug,
        "Skipped {Path}: {Reason} ({Size} bytes)",
        EventName = "FileSkipped"
    )]
    public static partial void FileSkipped(ILogger logger, string path, string reason, long size);

    [LoggerMessage(
        306,
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
        307,
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
        308,
        LogLevel.Debug,
        "{Path} changed while being read; re-checking in the next batch",
        EventName = "FileUnstable"
    )]
    public static partial void FileUnstable(ILogger logger, string path);

    [LoggerMessage(
        309,
        LogLevel.Information,
        "Workspace {Root}: ignore rules changed, rescanning",
        EventName = "IgnoreRulesChanged"
    )]
    public static partial void IgnoreRulesChanged(ILogger logger, string root);

    [LoggerMessage(
        310,
        LogLevel.Warning,
        "Workspace {Root}: more than {Limit} changed paths pending, rescanning instead",
        EventName = "DirtySetOverflowed"
    )]
    public static partial void DirtySetOverflowed(ILogger logger, string root, int limit);

    [LoggerMessage(
        311,
        LogLevel.Error,
        "Workspace {Root}: batch failed; will rescan",
        EventName = "BatchFailed"
    )]
    public static partial void BatchFailed(ILogger logger, string root, Exception exception);

    [LoggerMessage(
        312,
        LogLevel.Warning,
        "Workspace {Root}: {Reason}; changes are picked up by periodic rescans only",
        EventName = "WatcherStartFailed"
    )]
    public static partial void WatcherStartFailed(ILogger logger, string root, string reason);

    [LoggerMessage(
        315,
        LogLevel.Warning,
        "Workspace {Root}: the inotify watch limit is reached; raise it with 'sudo sysctl fs.inotify.max_user_watches=524288' (and fs.inotify.max_user_instances). Until then this workspace is rescanned every {Seconds} s",
        EventName = "WatchLimitReached"
    )]
    public static partial void WatchLimitReached(ILogger logger, string root, double seconds);

    [LoggerMessage(
        316,
        LogLevel.Information,
        "Workspace {Workspace}: restored the saved index of {Files} files",
        EventName = "IndexRestored"
    )]
    public static partial void IndexRestored(ILogger logger, string workspace, int files);

    [LoggerMessage(
        317,
        LogLevel.Warning,
        "Workspace {Workspace}: ignored the saved index ({Problem}); rebuilding it",
        EventName = "IndexDiscarded"
    )]
    public static partial void IndexDiscarded(ILogger logger, string workspace, string problem);

    [LoggerMessage(
        318,
        LogLevel.Warning,
        "Workspace {Workspace}: could not save the index: {Reason}",
        EventName = "IndexSaveFailed"
    )]
    public static partial void IndexSaveFailed(ILogger logger, string workspace, string reason);

    [LoggerMessage(
        313,
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
        314,
        LogLevel.Warning,
        "Workspace {Workspace}: the server did not answer the manifest; re-sending everything",
        EventName = "ManifestTimedOut"
    )]
    public static partial void ManifestTimedOut(ILogger logger, string workspace);

    [LoggerMessage(
        326,
        LogLevel.Debug,
        "Workspace {Workspace}: digest of {Files} files sent (digest-first resume)",
        EventName = "ManifestTreeSent"
    )]
    public static partial void ManifestTreeSent(ILogger logger, string workspace, int files);

    [LoggerMessage(
        327,
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

    [LoggerMessage(
        319,
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
        320,
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
        322,
        LogLevel.Warning,
        "Workspace {Root}: skipped {Path}: its name is not valid UTF-8, which the protocol cannot carry; rename it to sync it",
        EventName = "InvalidNameSkipped"
    )]
    public static partial void InvalidNameSkipped(ILogger logger, string root, string path);

    [LoggerMessage(
        341,
        LogLevel.Warning,
        "Workspace {Root}: skipped {Path}: another file of its folder has the same name in another Unicode form (NFC/NFD), and the protocol carries one; rename one of them to sync both",
        EventName = "NameConflictSkipped"
    )]
    public static partial void NameConflictSkipped(ILogger logger, string root, string path);

    [LoggerMessage(
        342,
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

    [LoggerMessage(
        323,
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
        324,
        LogLevel.Error,
        "Workspace {Root} is no longer the folder it was: {Change}; syncing it stopped",
        EventName = "RootChanged"
    )]
    public static partial void RootChanged(ILogger logger, string root, string change);

    [LoggerMessage(
        325,
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
        321,
        LogLevel.Information,
        "Workspace {Root}: the server applied {Path} after failing before",
        EventName = "ServerAppliedFile"
    )]
    public static partial void ServerAppliedFile(ILogger logger, string root, string path);

    [LoggerMessage(
        329,
        LogLevel.Information,
        "Workspace {Root}: paused; changes are tracked and sent on resume",
        EventName = "Paused"
    )]
    public static partial void Paused(ILogger logger, string root);

    [LoggerMessage(330, LogLevel.Information, "Workspace {Root}: resumed", EventName = "Resumed")]
    public static partial void Resumed(ILogger logger, string root);

    [LoggerMessage(
        328,
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
        340,
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
        354,
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
}
