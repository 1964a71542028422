using FileSync.Edge.Uplink;

namespace FileSync.Edge.Workspace.Pipeline;

/// <summary>
/// One batch: its session, what it is for (<see cref="SyncBatchKind"/>), and its progress counters (the
/// loop's own; not thread-safe). What each kind means to the stages, in one table:
/// <code>
/// kind            IndexOnly  ResendAll  ContentCheck
/// Changes         -          -          yes
/// Rescan          -          -          -
/// ManifestIndex   yes        -          -
/// ManifestNeeded  -          -          -
/// ResendAll       -          yes        -
/// </code>
/// </summary>
/// <param name="Session">The session the batch sends on.</param>
/// <param name="Kind">What the batch is for.</param>
internal sealed record SyncBatch(UplinkSession Session, SyncBatchKind Kind)
{
    /// <summary>Only the index is brought up to date; nothing is sent (<see cref="SyncBatchKind.ManifestIndex"/>).</summary>
    public bool IndexOnly => Kind == SyncBatchKind.ManifestIndex;

    /// <summary>Every file is sent, whatever the server is thought to hold (<see cref="SyncBatchKind.ResendAll"/>).</summary>
    public bool ResendAll => Kind == SyncBatchKind.ResendAll;

    /// <summary>Every path is read and hashed, whatever the index says (<see cref="SyncBatchKind.Changes"/>).</summary>
    public bool ContentCheck => Kind == SyncBatchKind.Changes;

    public bool ReportProgress { get; init; }
    public int Scanned { get; init; }
    public int Total { get; set; }
    public int Done { get; set; }
    public int Hashed { get; set; }
    public int Sent { get; set; }
}
