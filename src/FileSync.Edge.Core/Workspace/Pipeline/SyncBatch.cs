using FileSync.Edge.Uplink;

namespace FileSync.Edge.Workspace.Pipeline;

/// <summary>What one batch is for, and its progress counters (the loop's own; not thread-safe).</summary>
/// <param name="Session">The session the batch sends on.</param>
/// <param name="ResendAll">Every file is sent, whatever the server is thought to hold (a server without the manifest after a reconnect).</param>
/// <param name="IndexOnly">Only the index is brought up to date; nothing is sent (the first pass of a manifest resume).</param>
internal sealed record SyncBatch(UplinkSession Session, bool ResendAll, bool IndexOnly)
{
    public bool ReportProgress { get; init; }

    /// <summary>Every path is read and hashed, whatever the index says (the paths of change notifications).</summary>
    public bool ContentCheck { get; init; }
    public int Scanned { get; init; }
    public int Total { get; set; }
    public int Done { get; set; }
    public int Hashed { get; set; }
    public int Sent { get; set; }
}
