namespace FileSync.Protocol.Transport;

/// <summary>
/// A connection's stream that reports to a <see cref="TransportActivity"/> what it reads and what the
/// operating system accepts of its writes. Writes go in pieces of at most <see cref="WritePieceBytes"/>,
/// so on a very slow link progress shows long before a large frame is through.
/// </summary>
public sealed class ActivityStream(Stream inner, TransportActivity activity)
    : DelegatingStream(inner)
{
    /// <summary>The largest piece of a write handed to the operating system at once.</summary>
    public const int WritePieceBytes = 8 * 1024;

    public override int Read(Span<byte> buffer)
    {
        var read = Inner.Read(buffer);
        activity.OnRead(read);
        return read;
    }

    public override async ValueTask<int> ReadAsync(
        Memory<byte> buffer,
        CancellationToken cancellationToken = default
    )
    {
        var read = await Inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        activity.OnRead(read);
        return read;
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (buffer.Length > 0)
        {
            var piece = buffer[..Math.Min(buffer.Length, WritePieceBytes)];
            Inner.Write(piece);
            activity.OnWritten(piece.Length);
            buffer = buffer[piece.Length..];
        }
    }

    public override async ValueTask WriteAsync(
        ReadOnlyMemory<byte> buffer,
        CancellationToken cancellationToken = default
    )
    {
        while (buffer.Length > 0)
        {
            var piece = buffer[..Math.Min(buffer.Length, WritePieceBytes)];
            await Inner.WriteAsync(piece, cancellationToken).ConfigureAwait(false);
            activity.OnWritten(piece.Length);
            buffer = buffer[piece.Length..];
        }
    }
}
