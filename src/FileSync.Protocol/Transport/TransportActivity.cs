namespace FileSync.Protocol.Transport;

/// <summary>
/// When bytes last moved on one connection's raw transport, in either direction: bytes read from the
/// peer, or bytes of ours the operating system accepted (a full send buffer stops accepting them, so
/// an upload still draining keeps moving while a frozen peer does not). Keepalive asks this instead
/// of a pong's round trip, which on a slow link waits behind the whole backlog of the sender.
/// </summary>
public sealed class TransportActivity
{
    private readonly TimeProvider _time;
    private long _lastMoved;
    private long _bytesRead;
    private long _bytesWritten;

    public TransportActivity(TimeProvider time)
    {
        _time = time;
        _lastMoved = time.GetTimestamp();
    }

    /// <summary>Bytes read from the peer so far.</summary>
    public long BytesRead => Interlocked.Read(ref _bytesRead);

    /// <summary>Bytes handed to the operating system so far.</summary>
    public long BytesWritten => Interlocked.Read(ref _bytesWritten);

    /// <summary>When something last moved (a <see cref="TimeProvider.GetTimestamp"/> value).</summary>
    public long LastMoved => Interlocked.Read(ref _lastMoved);

    /// <summary>How long nothing has moved in either direction.</summary>
    public TimeSpan Quiet => _time.GetElapsedTime(Interlocked.Read(ref _lastMoved));

    public void OnRead(int bytes)
    {
        if (bytes > 0)
        {
            Interlocked.Add(ref _bytesRead, bytes);
            Interlocked.Exchange(ref _lastMoved, _time.GetTimestamp());
        }
    }

    /// <summary>Bytes of ours left the send queue (the peer acknowledged them): the upload is still draining.</summary>
    public void OnDrained() => Interlocked.Exchange(ref _lastMoved, _time.GetTimestamp());

    public void OnWritten(int bytes)
    {
        if (bytes > 0)
        {
            Interlocked.Add(ref _bytesWritten, bytes);
            Interlocked.Exchange(ref _lastMoved, _time.GetTimestamp());
        }
    }
}
