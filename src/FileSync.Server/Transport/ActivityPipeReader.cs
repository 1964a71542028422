using System.IO.Pipelines;
using FileSync.Protocol.Transport;

namespace FileSync.Server.Transport;

/// <summary>A connection's input that reports to a <see cref="TransportActivity"/> every byte that arrives.</summary>
internal sealed class ActivityPipeReader(PipeReader inner, TransportActivity activity) : PipeReader
{
    private long _unconsumed;
    private ReadResult _last;

    public override async ValueTask<ReadResult> ReadAsync(
        CancellationToken cancellationToken = default
    ) => Observe(await inner.ReadAsync(cancellationToken).ConfigureAwait(false));

    public override bool TryRead(out ReadResult result)
    {
        if (inner.TryRead(out result))
        {
            Observe(result);
            return true;
        }
        return false;
    }

    private ReadResult Observe(ReadResult result)
    {
        var arrived = result.Buffer.Length - _unconsumed;
        if (arrived > 0)
        {
            activity.OnRead((int)Math.Min(arrived, int.MaxValue));
        }
        _last = result;
        return result;
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        _unconsumed = _last.Buffer.Slice(consumed).Length;
        inner.AdvanceTo(consumed, examined);
    }

    public override void CancelPendingRead() => inner.CancelPendingRead();

    public override void Complete(Exception? exception = null) => inner.Complete(exception);

    public override ValueTask CompleteAsync(Exception? exception = null) =>
        inner.CompleteAsync(exception);
}
