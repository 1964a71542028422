namespace FileSync.Edge.Workspace;

/// <summary>Receives progress of a workspace's full sync (for a terminal display). Must be cheap.</summary>
public interface ISyncProgress
{
    void Report(SyncProgressSnapshot snapshot);
}

/// <summary>Counts of a full sync in progress.</summary>
public readonly record struct SyncProgressSnapshot(
    string Workspace,
    int Scanned,
    int Hashed,
    int Sent,
    bool Completed
);
