using System.Threading.Channels;

namespace FileSync.Edge.Workspace.Pipeline;

/// <summary>
/// When the loop runs a batch: woken by anything that may mean work, it lets the first change after a
/// quiet period wait only the settle time (less when every change is known complete) and batches later
/// changes at most once per batch interval. All waiting goes through the <see cref="TimeProvider"/>, so
/// a test steps it with a fake clock.
/// </summary>
internal sealed class BatchClock(TimeSpan batchInterval, TimeSpan settle, TimeProvider time)
{
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1)
        {
            FullMode = BoundedChannelFullMode.DropWrite,
            SingleReader = true,
        }
    );
    private long _lastBatchTimestamp;

    /// <summary>Something may need doing: the loop looks again. Thread-safe, never blocks.</summary>
    public void Wake() => _wake.Writer.TryWrite(true);

    /// <summary>Waits until <see cref="Wake"/> was called (at once if it was since the last wait).</summary>
    public async Task WaitForWakeAsync(CancellationToken cancellationToken) =>
        await _wake.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>A batch sent something: the next one waits a batch interval from now.</summary>
    /// <remarks>Only a batch that sent something starts a busy period; an empty one (a save's trailing events) must not delay the next lone change.</remarks>
    public void OnBatchSent() => _lastBatchTimestamp = time.GetTimestamp();

    /// <summary>Waits until a batch with pending changes is due.</summary>
    /// <param name="hasUnsettled">Whether some change may still be in the making.</param>
    public async Task WaitUntilDueAsync(
        Func<bool> hasUnsettled,
        CancellationToken cancellationToken
    )
    {
        var sinceLastBatch = time.GetElapsedTime(_lastBatchTimestamp);
        if (sinceLastBatch >= batchInterval)
        {
            await SettleAsync(hasUnsettled, cancellationToken).ConfigureAwait(false);
            return;
        }
        var delay = batchInterval - sinceLastBatch;
        await Task.Delay(delay < settle ? settle : delay, time, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>Waits out a failed batch before the next try.</summary>
    public Task BackOffAsync(CancellationToken cancellationToken) =>
        Task.Delay(batchInterval, time, cancellationToken);

    /// <summary>
    /// The leading edge after a quiet period: waits the settle time for a change still in the making,
    /// but no longer than until every pending change is known complete (closed after writing, renamed
    /// into place, deleted) — a saved file goes out at once.
    /// </summary>
    /// <remarks>
    /// One delay covers the whole settle, armed when it starts: a wake-up in between only makes the
    /// loop look again whether anything is still unsettled; it never re-arms the delay (a fake clock
    /// advanced between a re-computed remainder and its new delay would leave the batch waiting).
    /// </remarks>
    private async Task SettleAsync(Func<bool> hasUnsettled, CancellationToken cancellationToken)
    {
        if (!hasUnsettled())
        {
            return;
        }
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var elapsed = Task.Delay(settle, time, stop.Token);
        try
        {
            while (hasUnsettled())
            {
                var woken = _wake.Reader.WaitToReadAsync(stop.Token).AsTask();
                var first = await Task.WhenAny(elapsed, woken).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                if (first == elapsed)
                {
                    return;
                }
                _wake.Reader.TryRead(out _);
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
        }
    }
}
