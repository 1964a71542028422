using System.Buffers.Binary;
using System.Security.Cryptography;
using FileSync.Protocol.Transport;

namespace FileSync.Edge.Uplink;

/// <summary>
/// The connection's plaintext stream (above TLS, below the WebSocket), through which the agent sends its
/// keepalive pings itself. .NET's WebSocket has no call that sends a ping, and its own keepalive timer
/// ticks at a quarter of the interval, waking an idle agent four times per ping; <see cref="KeepAliveWatch"/>
/// instead writes one ping when the connection has been quiet for the interval. A ping goes only between
/// two of the WebSocket's frames (writes are serialised, and <see cref="OutgoingFrameBoundary"/> follows
/// the frames in them); the server's pong is a read like any other, and the WebSocket ignores it.
/// The WebSocket's own writes count as movement (<see cref="ActivityStream"/>); a ping does not, or a
/// dead peer would never look quiet.
/// </summary>
internal sealed class KeepAlivePingStream(Stream plaintext, TransportActivity activity)
    : DelegatingStream(new ActivityStream(plaintext, activity))
{
    private const byte FinPing = 0x89;
    private const byte Masked = 0x80;
    private const int PingPayloadBytes = 8;

    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly OutgoingFrameBoundary _frames = new();
    private readonly byte[] _ping = new byte[2 + 4 + PingPayloadBytes];
    private volatile bool _framing;
    private long _pings;

    /// <summary>Pings written so far.</summary>
    public long PingsSent => Interlocked.Read(ref _pings);

    /// <summary>The upgrade is done: from here on every write is a WebSocket frame.</summary>
    public void StartFraming() => _framing = true;

    /// <summary>
    /// Writes a ping between two frames. False when it could not go now: before the upgrade, in the middle
    /// of a frame written in pieces, or when the connection is gone (the receive loop reports that).
    /// </summary>
    public async Task<bool> TrySendPingAsync(CancellationToken cancellationToken)
    {
        if (!_framing)
        {
            return false;
        }
        try
        {
            await _writing.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
        {
            return false;
        }
        try
        {
            if (!_frames.AtBoundary)
            {
                return false;
            }
            var count = Interlocked.Increment(ref _pings);
            _ping[0] = FinPing;
            _ping[1] = Masked | PingPayloadBytes;
            var mask = _ping.AsSpan(2, 4);
            RandomNumberGenerator.Fill(mask);
            var payload = _ping.AsSpan(6, PingPayloadBytes);
            BinaryPrimitives.WriteInt64BigEndian(payload, count);
            for (var i = 0; i < payload.Length; i++)
            {
                payload[i] ^= mask[i % 4];
            }
            await plaintext.WriteAsync(_ping, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex)
            when (ex is IOException or ObjectDisposedException or OperationCanceledException)
        {
            return false;
        }
        finally
        {
            _writing.Release();
        }
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _writing.Wait();
        try
        {
            Follow(buffer);
            Inner.Write(buffer);
        }
        finally
        {
            _writing.Release();
        }
    }

    public override async ValueTask WriteAsync(
        ReadOnlyMemory<byte> buffer,
        CancellationToken cancellationToken = default
    )
    {
        await _writing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Follow(buffer.Span);
            await Inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writing.Release();
        }
    }

    private void Follow(ReadOnlySpan<byte> written)
    {
        if (_framing)
        {
            _frames.Consume(written);
        }
    }
}
