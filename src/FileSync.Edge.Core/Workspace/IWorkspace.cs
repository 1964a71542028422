using FileSync.Protocol;

namespace FileSync.Edge.Workspace;

/// <summary>
/// One running workspace as the control stage, the local commands and the registry's callers see it:
/// what it is, how it is doing, what the server may read of it, and the few commands it takes. The
/// sync engine (<see cref="WorkspaceSync"/>) implements it; every member is thread-safe.
/// </summary>
public interface IWorkspace
{
    /// <summary>Absolute, normalised path of the workspace root (<see cref="WorkspaceRoot.Normalize"/>).</summary>
    string RootPath { get; }

    /// <summary>The folder name of the workspace (the server mirrors it under this name).</summary>
    string Name { get; }

    WorkspaceState State { get; }

    /// <summary>Completes when the first full sync has been sent (or the workspace was refused).</summary>
    Task InitialSyncCompleted { get; }

    /// <summary>True while a pause is requested (sending may still be stopping: see <see cref="PauseState"/>).</summary>
    bool IsPaused { get; }

    /// <summary>Whether the workspace runs, is pausing (the file under way goes out) or has stopped sending.</summary>
    PauseState PauseState { get; }

    /// <summary>Changed paths waiting to be sent (grows while paused or disconnected).</summary>
    int PendingChanges { get; }

    /// <summary>When a batch last sent something to the server (null: nothing sent yet in this run).</summary>
    DateTimeOffset? LastSyncAt { get; }

    /// <summary>A point-in-time view for <c>edge:status</c>.</summary>
    WorkspaceStatus GetStatus();

    /// <summary>True when <paramref name="relativePath"/> is excluded by this workspace's ignore rules.</summary>
    bool IsExcluded(string relativePath);

    /// <summary>Reads a file for the server (same size limit and binary rule as sync).</summary>
    FileReadResult ReadForServer(string relativePath);

    /// <summary>The filtered list of files that are (or would be) synced, sorted. Scans the disk.</summary>
    IReadOnlyList<string> ListFiles(CancellationToken cancellationToken = default);

    /// <summary>What <c>ctx:workspace_request</c> tells: synced files, filtered files and ignored folders (relative, sorted).</summary>
    (
        IReadOnlyList<string> Synced,
        IReadOnlyList<string> FilteredFiles,
        IReadOnlyList<string> FilteredDirectories
    ) Describe(CancellationToken cancellationToken = default);

    /// <summary>The entries of a folder as the server may see them: one name per line, sorted, '/' after folders.</summary>
    string ListDirectory(string relativeDirectory);

    /// <summary>Stops sending for this workspace at the next file boundary; changes keep being tracked.</summary>
    void Pause();

    /// <summary>Completes once a requested pause has stopped sending (at once when not paused).</summary>
    Task WhenPausedAsync(CancellationToken cancellationToken = default);

    /// <summary>Sends what changed while paused, then keeps syncing as before.</summary>
    void Resume();

    /// <summary>Rescans the whole workspace in the next batch and sends only real differences.</summary>
    void RequestRescan();

    /// <summary>Re-sends the whole workspace (or re-runs the manifest exchange) in the next batch.</summary>
    void RequestResync();

    /// <summary>Delivers the server's answer to the workspace's manifest.</summary>
    void OnManifestDiff(ManifestDiffPayload diff);

    /// <summary>The server acknowledged this workspace's <c>file_done</c>: it holds what was sent before.</summary>
    void OnDoneAcknowledged() { }

    /// <summary>A <c>workspace:tree_request</c>: answered while a digest-first resume runs, else ignored (false).</summary>
    bool OnTreeRequest(TreeRequestPayload request);

    /// <summary>The server could not apply a create, modify or delete of <paramref name="relativePath"/>: it is sent again.</summary>
    void OnServerRejected(string relativePath, string code, string message);
}
