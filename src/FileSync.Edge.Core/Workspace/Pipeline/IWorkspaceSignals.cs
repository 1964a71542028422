namespace FileSync.Edge.Workspace.Pipeline;

/// <summary>
/// What the stages tell the workspace that runs them (<see cref="WorkspaceSync"/>): changed paths, the
/// need for a rescan, problems worth showing a user, and what the root did. Raised on any thread
/// (watcher events, timers) or on the loop; every member only records or wakes, it never syncs.
/// </summary>
internal interface IWorkspaceSignals
{
    /// <summary>A path is to be checked in a coming batch; <paramref name="completed"/>: the change is known complete.</summary>
    void MarkDirty(string relativePath, bool completed);

    /// <summary>Only a scan of the whole workspace can tell what changed (or it may have grown past the file limit).</summary>
    void RequestRescan();

    /// <summary>Something is due that the loop should look at now (a rejected file's confirmation window ended).</summary>
    void Wake();

    /// <summary>Something a user should see went wrong; shown as the workspace's last error.</summary>
    void ReportProblem(string problem);

    /// <summary>Once: the root stopped being the folder it was; stop watching for good.</summary>
    void RootChanged();

    /// <summary>The root went missing: poll until it is back.</summary>
    void RootMissing();
}
