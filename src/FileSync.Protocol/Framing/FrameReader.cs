using System.Buffers;
using System.Net.WebSockets;

namespace FileSync.Protocol.Framing;

/// <summary>
/// Reassembles WebSocket messages within <see cref="ProtocolMessage.MaxFrameBytes"/>, used by both
/// ends. A larger message is read to its end into a scratch buffer and reported as
/// <see cref="ReceivedFrameKind.TooLarge"/>, so memory stays bounded and the connection stays usable.
/// The buffer grows with the message and shrinks back to its initial size before the next one.
/// Not thread-safe: one reader per receive loop.
/// </summary>
public sealed class FrameReader : IDisposable
{
    private readonly int _initialBytes;
    private byte[] _buffer;

    public FrameReader(int initialBytes = 16 * 1024)
    {
        _initialBytes = Math.Clamp(initialBytes, 256, ProtocolMessage.MaxFrameBytes);
        _buffer = ArrayPool<byte>.Shared.Rent(_initialBytes);
    }

    public async ValueTask<ReceivedFrame> ReadAsync(
        WebSocket socket,
        CancellationToken cancellationToken
    )
    {
        Shrink();
        var length = 0;
        long discarded = 0;
        while (true)
        {
            var capacity = Math.Min(_buffer.Length, ProtocolMessage.MaxFrameBytes);
            if (length == capacity && capacity < ProtocolMessage.MaxFrameBytes)
            {
                Grow(length);
                capacity = Math.Min(_buffer.Length, ProtocolMessage.MaxFrameBytes);
            }
            // At the limit, keep reading (to find the message's end) into the start of the buffer.
            var full = length == capacity;
            var into = full
                ? _buffer.AsMemory(0, Math.Min(_buffer.Length, _initialBytes))
                : _buffer.AsMemory(length, capacity - length);
            var result = await socket.ReceiveAsync(into, cancellationToken).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return new ReceivedFrame(ReceivedFrameKind.Close, default, 0);
            }
            if (full)
            {
                discarded += result.Count;
            }
            else
            {
                length += result.Count;
            }
            if (!result.EndOfMessage)
            {
                continue;
            }
            if (discarded > 0)
            {
                return new ReceivedFrame(ReceivedFrameKind.TooLarge, default, length + discarded);
            }
            var kind =
                result.MessageType == WebSocketMessageType.Binary
                    ? ReceivedFrameKind.Binary
                    : ReceivedFrameKind.Text;
            return new ReceivedFrame(kind, _buffer.AsMemory(0, length), length);
        }
    }

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Grow(int used)
    {
        var size = (int)Math.Min((long)_buffer.Length * 2, ProtocolMessage.MaxFrameBytes);
        var larger = ArrayPool<byte>.Shared.Rent(size);
        _buffer.AsSpan(0, used).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }

    private void Shrink()
    {
        ObjectDisposedException.ThrowIf(_buffer.Length == 0, this);
        if (_buffer.Length > _initialBytes * 2)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(_initialBytes);
        }
    }
}
