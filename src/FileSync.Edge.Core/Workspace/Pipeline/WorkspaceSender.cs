using FileSync.Edge.Uplink;
using FileSync.Protocol;

namespace FileSync.Edge.Workspace.Pipeline;

/// <summary>
/// The last stage: builds this workspace's frames for the session and puts them on the uplink. A send
/// the session cannot take (it ended) throws <see cref="SessionLostException"/>, which ends the batch;
/// the next session converges with a full sync. It never runs ahead of the network by more than
/// <see cref="SendWindowBytes"/>: the kernel would take megabytes at once, and on a slow link a pause
/// (or a progress count) would then trail the real upload by many seconds.
/// </summary>
internal sealed class WorkspaceSender(
    SyncMessageBuilder messages,
    IUplink uplink,
    WorkspaceCounters counters,
    SyncTimings timings,
    TimeProvider time
)
{
    /// <summary>
    /// Most bytes of ours the socket may still hold when the next frame goes: a second of a 1 MB/s link,
    /// and more than the bandwidth × delay of links this agent is for (80 Mbit/s at 100 ms).
    /// </summary>
    public const int SendWindowBytes = 1024 * 1024;

    /// <summary>How often a full window is looked at again.</summary>
    private static readonly TimeSpan s_windowPoll = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// Sends a create (<paramref name="created"/>) or modify; false when its frame would be too large.
    /// <paramref name="compressed"/>: the content already compressed by a hash worker, if it was.
    /// </summary>
    public async Task<bool> SendFileAsync(
        UplinkSession session,
        string path,
        bool created,
        byte[] content,
        string hash,
        CancellationToken cancellationToken,
        byte[]? compressed = null
    )
    {
        var framing = timings.Now();
        var frame = messages.FileSync(session, path, created, content, hash, compressed);
        timings.AddFrame(framing);
        if (frame is null)
        {
            return false;
        }
        // Content the agent compressed itself skips permessage-deflate.
        await SendAsync(session, frame, cancellationToken, deflate: !session.CompressContent)
            .ConfigureAwait(false);
        return true;
    }

    public Task SendDeleteAsync(
        UplinkSession session,
        string path,
        CancellationToken cancellationToken
    ) => SendAsync(session, messages.FileDelete(session, path), cancellationToken);

    public Task SendDoneAsync(
        UplinkSession session,
        SyncStats stats,
        CancellationToken cancellationToken
    ) => SendAsync(session, messages.FileDone(session, stats), cancellationToken);

    public Task SendErrorAsync(
        UplinkSession session,
        string code,
        string message,
        CancellationToken cancellationToken,
        int? count = null,
        int? limit = null
    ) =>
        SendAsync(
            session,
            messages.SyncError(session, code, message, count, limit),
            cancellationToken
        );

    public Task SendManifestAsync(
        UplinkSession session,
        IReadOnlyList<ManifestEntry> part,
        int chunk,
        bool last,
        CancellationToken cancellationToken
    ) => SendAsync(session, messages.Manifest(session, part, chunk, last), cancellationToken);

    public Task SendManifestTreeAsync(
        UplinkSession session,
        string rootDigest,
        int files,
        CancellationToken cancellationToken
    ) => SendAsync(session, messages.ManifestTree(session, rootDigest, files), cancellationToken);

    public Task SendTreeListingAsync(
        UplinkSession session,
        IReadOnlyList<TreeListingDirectory> dirs,
        IReadOnlyList<TreeListingDirectory> subtrees,
        bool last,
        CancellationToken cancellationToken
    ) => SendAsync(session, messages.TreeListing(session, dirs, subtrees, last), cancellationToken);

    /// <param name="deflate">False for a file frame whose content the agent compressed itself.</param>
    private async Task SendAsync(
        UplinkSession session,
        byte[] frame,
        CancellationToken cancellationToken,
        bool deflate = true
    )
    {
        while (uplink.UnsentBytes(session) > SendWindowBytes)
        {
            await Task.Delay(s_windowPoll, time, cancellationToken).ConfigureAwait(false);
        }
        var sending = timings.Now();
        var sent = await uplink
            .SendAsync(session, frame, deflate, cancellationToken)
            .ConfigureAwait(false);
        timings.AddSocket(sending);
        if (!sent)
        {
            throw new SessionLostException();
        }
        counters.OnMessageSent();
    }
}
