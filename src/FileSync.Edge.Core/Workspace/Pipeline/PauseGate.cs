using FileSync.Edge.Uplink;

namespace FileSync.Edge.Workspace.Pipeline;

/// <summary>
/// The workspace's pause: a command requests it (any thread), the loop honours it at the next file
/// boundary — between batches, between the files of a batch (also inside a full sync), before a
/// manifest and before <c>file_done</c> — and holds there until resumed, so the batch continues where it
/// stopped and nothing is sent twice. It counts as <see cref="PauseState.Paused"/> only once the loop
/// holds and what it handed to the socket has left (the send queue drained, or the session ended).
/// </summary>
internal sealed class PauseGate(IUplink uplink, TimeProvider time)
{
    /// <summary>How often a hold looks whether the socket's send queue has drained.</summary>
    private static readonly TimeSpan s_drainPoll = TimeSpan.FromMilliseconds(50);

    private readonly Lock _lock = new();

    // Non-null while a pause is requested; completed (and cleared) by Resume.
    private TaskCompletionSource? _resumed;

    // Completed once the loop holds with the send queue drained; replaced by each new pause.
    private TaskCompletionSource _stopped = NewSignal();
    private volatile bool _holding;

    public PauseState State =>
        Volatile.Read(ref _resumed) is null ? PauseState.Running
        : _holding ? PauseState.Paused
        : PauseState.Pausing;

    public bool IsRequested => Volatile.Read(ref _resumed) is not null;

    /// <summary>Requests a pause; false when one was requested already.</summary>
    public bool Pause()
    {
        lock (_lock)
        {
            if (_resumed is not null)
            {
                return false;
            }
            _stopped = NewSignal();
            Volatile.Write(ref _resumed, NewSignal());
            return true;
        }
    }

    /// <summary>Lets the loop go on; false when it was not paused.</summary>
    public bool Resume()
    {
        TaskCompletionSource? resumed;
        lock (_lock)
        {
            resumed = _resumed;
            if (resumed is null)
            {
                return false;
            }
            Volatile.Write(ref _resumed, null);
            _stopped.TrySetResult(); // nobody waits for a pause that is over
        }
        resumed.TrySetResult();
        return true;
    }

    /// <summary>Completes when the requested pause has stopped sending (or was resumed before that).</summary>
    public Task WhenStopped
    {
        get
        {
            lock (_lock)
            {
                return _resumed is null ? Task.CompletedTask : _stopped.Task;
            }
        }
    }

    /// <summary>
    /// A file boundary of the loop: returns at once unless a pause is requested; then waits until the
    /// frames already handed to <paramref name="session"/> have left the socket, counts as paused, and
    /// returns when resumed.
    /// </summary>
    public async Task HoldAsync(UplinkSession? session, CancellationToken cancellationToken)
    {
        TaskCompletionSource? resumed;
        TaskCompletionSource stopped;
        lock (_lock)
        {
            resumed = _resumed;
            stopped = _stopped;
        }
        if (resumed is null)
        {
            return;
        }
        while (
            session is not null && uplink.UnsentBytes(session) is > 0 && !resumed.Task.IsCompleted
        )
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            await Task.WhenAny(resumed.Task, Task.Delay(s_drainPoll, time, stop.Token))
                .ConfigureAwait(false);
            await stop.CancelAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
        _holding = true;
        try
        {
            stopped.TrySetResult();
            await resumed.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _holding = false;
        }
    }

    private static TaskCompletionSource NewSignal() =>
        new(TaskCreationOptions.RunContinuationsAsynchronously);
}
