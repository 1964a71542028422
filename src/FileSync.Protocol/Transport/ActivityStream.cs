namespace FileSync.Protocol.Transport;

/// <summary>
/// A connection's raw stream that reports to a <see cref="TransportActivity"/> what it reads and what the
/// operating system accepts of its writes. Writes go in pieces of at most <see cref="WritePieceBytes"/>,
/// so on a very slow link progress shows long before a large frame is through.
/// </summary>
public sealed class ActivityStream(Stream inner, TransportActivity activity) : Stream
{
    /// <summary>The largest piece of a write handed to the operating system at once.</summary>
    public const int WritePieceBytes = 8 * 1024;

    public override bool CanRead => inner.CanRead;

    public override bool CanSeek => false;

    public override bool CanWrite => inner.CanWrite;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) =>
        inner.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) =>
        Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        activity.OnRead(read);
        return read;
    }

    public override Task<int> ReadAsync(
        byte[] buffer,
        int offset,
        int count,
        CancellationToken cancellationToken
    ) => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(
        Memory<byte> buffer,
        CancellationToken cancellationToken = default
    )
    {
        var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        activity.OnRead(read);
        return read;
    }

    public override void Write(byte[] buffer, int offset, int count) =>
        Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (buffer.Length > 0)
        {
            var piece = buffer[..Math.Min(buffer.Length, WritePieceBytes)];
            inner.Write(piece);
            activity.OnWritten(piece.Length);
            buffer = buffer[piece.Length..];
        }
    }

    public override Task WriteAsync(
        byte[] buffer,
        int offset,
        int count,
        CancellationToken cancellationToken
    ) => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(
        ReadOnlyMemory<byte> buffer,
        CancellationToken cancellationToken = default
    )
    {
        while (buffer.Length > 0)
        {
            var piece = buffer[..Math.Min(buffer.Length, WritePieceBytes)];
            await inner.WriteAsync(piece, cancellationToken).ConfigureAwait(false);
            activity.OnWritten(piece.Length);
            buffer = buffer[piece.Length..];
        }
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }
        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync() => inner.DisposeAsync();
}
