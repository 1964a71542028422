namespace FileSync.Edge.Local;

/// <summary>
/// How far a workspace's running full sync (initial sync, resync, re-sync after a reconnect) is:
/// files and bytes done of the totals its scan found. Null on <see cref="WorkspaceStatusView"/> when
/// no full sync runs.
/// </summary>
public sealed record SyncProgressView
{
    /// <summary>Files checked so far (sent, or found unchanged on the server).</summary>
    public int FilesDone { get; init; }

    /// <summary>Files the scan found to check (0 while the scan runs).</summary>
    public int FilesTotal { get; init; }

    public long BytesDone { get; init; }

    public long BytesTotal { get; init; }
}
