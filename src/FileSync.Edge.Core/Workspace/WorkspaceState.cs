namespace FileSync.Edge.Workspace;

/// <summary>Lifecycle of one workspace's sync.</summary>
public enum WorkspaceState
{
    /// <summary>Waiting for a connection before the first sync.</summary>
    Waiting,

    /// <summary>Scanning, hashing and sending a full sync.</summary>
    Syncing,

    /// <summary>In sync; sending changes as they happen.</summary>
    Watching,

    /// <summary>Over the file limit: not synced until the count drops.</summary>
    Refused,

    /// <summary>The workspace folder does not exist (any more).</summary>
    Missing,

    /// <summary>
    /// The workspace folder turned into a link, or into a folder elsewhere (another real path or file
    /// system), while the agent ran: syncing stopped for good, so nothing outside it is ever read.
    /// </summary>
    RootChanged,

    Stopped,
}
