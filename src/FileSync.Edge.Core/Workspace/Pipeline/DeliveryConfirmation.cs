using FileSync.Edge.Uplink;
using FileSync.Protocol;

namespace FileSync.Edge.Workspace.Pipeline;

/// <summary>
/// Waits, after a full sync's <c>file_done</c>, until the server has what was sent: its
/// <c>workspace:file_done_ack</c> (capability <see cref="Capabilities.DoneAck"/>), or with a server
/// that does not acknowledge, until the socket's send queue has drained. Meanwhile it publishes what
/// is still in flight for status. No deadline of its own: on a slow link this takes as long as the
/// backlog does, and a dead link ends the session (keepalive), which ends the wait.
/// </summary>
internal sealed class DeliveryConfirmation(
    IUplink uplink,
    WorkspaceCounters counters,
    TimeProvider time
)
{
    /// <summary>How often the wait looks at the session and the send queue.</summary>
    private static readonly TimeSpan s_poll = TimeSpan.FromMilliseconds(200);

    private volatile TaskCompletionSource? _acknowledged;
    private int _inFlightFiles;
    private long _inFlightBytes;

    /// <summary>Changes (creates, modifies, deletes) of the last full sync the server has not confirmed yet.</summary>
    public int InFlightFiles => Volatile.Read(ref _inFlightFiles);

    /// <summary>Bytes of ours still in the socket's send queue while a confirmation is awaited.</summary>
    public long InFlightBytes => Interlocked.Read(ref _inFlightBytes);

    public void OnAcknowledged() => _acknowledged?.TrySetResult();

    /// <summary>
    /// Called before <c>file_done</c> goes out: a fast server's acknowledgement can arrive before
    /// <see cref="ConfirmAsync"/> starts waiting, and must not find nobody expecting it (the sync would
    /// then wait for it for as long as the connection lasts).
    /// </summary>
    public void Expect() =>
        _acknowledged = new TaskCompletionSource(
            TaskCreationOptions.RunContinuationsAsynchronously
        );

    /// <summary>
    /// True once the server has what <paramref name="session"/> carried since <paramref name="messagesBefore"/>
    /// (the counter before the sync began), false when the session ended first.
    /// </summary>
    public async Task<bool> ConfirmAsync(
        UplinkSession session,
        long messagesBefore,
        CancellationToken cancellationToken
    )
    {
        var byAck = session.Has(Capabilities.DoneAck);
        var acknowledged =
            _acknowledged
            ?? new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _acknowledged = acknowledged;
        // The changes of this sync, file_done itself not counted.
        Volatile.Write(
            ref _inFlightFiles,
            (int)Math.Max(0, counters.MessagesSent - messagesBefore - 1)
        );
        try
        {
            while (true)
            {
                if (uplink.UnsentBytes(session) is not { } unsent)
                {
                    return false;
                }
                Interlocked.Exchange(ref _inFlightBytes, unsent);
                if (byAck ? acknowledged.Task.IsCompleted : unsent == 0)
                {
                    return true;
                }
                await Task.WhenAny(acknowledged.Task, Task.Delay(s_poll, time, cancellationToken))
                    .ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
        finally
        {
            _acknowledged = null;
            Volatile.Write(ref _inFlightFiles, 0);
            Interlocked.Exchange(ref _inFlightBytes, 0);
        }
    }
}
