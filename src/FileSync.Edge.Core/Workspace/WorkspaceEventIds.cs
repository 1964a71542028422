namespace FileSync.Edge.Workspace;

/// <summary>
/// The event ids of the workspace engine (300-399): the pipeline's stages, the facade and the registry.
/// Each stage logs through its own <c>.Log.cs</c> partial; the ids live here, one per line, so a new
/// message takes the next free one and an id is never reused. Values are stable (log filters key on them).
/// </summary>
internal static class WorkspaceEventIds
{
    public const int InitialSyncDone = 300; // FullSync
    public const int ResyncDone = 301; // FullSync
    public const int WorkspaceRefused = 302; // WorkspaceLifecycle
    public const int WorkspaceResumed = 303; // FullSync
    public const int WorkspaceMissing = 304; // WorkspaceLifecycle
    public const int FileSkipped = 305; // SyncActionApplier
    public const int FileUnreadable = 306; // SyncActionApplier
    public const int DirectoryUnreadable = 307; // ChangePlanner
    public const int FileUnstable = 308; // SyncActionApplier
    public const int IgnoreRulesChanged = 309; // WorkspaceLoop
    public const int DirtySetOverflowed = 310; // WorkspaceLoop
    public const int BatchFailed = 311; // WorkspaceLoop
    public const int WatcherStartFailed = 312; // WatcherSupervisor
    public const int ManifestSent = 313; // ManifestExchange
    public const int ManifestTimedOut = 314; // FullSync
    public const int WatchLimitReached = 315; // WatcherSupervisor
    public const int IndexRestored = 316; // IndexSaver
    public const int IndexDiscarded = 317; // IndexSaver
    public const int IndexSaveFailed = 318; // IndexSaver
    public const int ServerRejectedFile = 319; // RejectionRetrier
    public const int ServerRejectedFileAgain = 320; // RejectionRetrier
    public const int ServerAppliedFile = 321; // RejectionRetrier
    public const int InvalidNameSkipped = 322; // ChangePlanner
    public const int FileNoLongerSynced = 323; // SyncActionApplier
    public const int RootChanged = 324; // WorkspaceLifecycle
    public const int FileDecision = 325; // SyncActionApplier
    public const int ManifestTreeSent = 326; // ManifestExchange
    public const int TreeListingSent = 327; // ManifestExchange
    public const int HashAlgorithmChanged = 328; // FullSync
    public const int Paused = 329; // WorkspaceSync
    public const int Resumed = 330; // WorkspaceSync
    public const int FileWithheld = 340; // SyncActionApplier
    public const int NameConflictSkipped = 341; // ChangePlanner
    public const int SpellingReplaced = 342; // SyncActionApplier
    public const int WorkspaceAdded = 350; // WorkspaceRegistry
    public const int WorkspaceRemoved = 351; // WorkspaceRegistry
    public const int SecretGuardOff = 352; // WorkspaceRegistry
    public const int SecretGuardAllows = 353; // WorkspaceRegistry
    public const int InitialSyncTimings = 354; // FullSync
    public const int MemoryFigures = 355; // FullSync
}
