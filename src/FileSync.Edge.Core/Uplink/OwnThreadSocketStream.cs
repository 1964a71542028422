using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using FileSync.Protocol.Transport;

namespace FileSync.Edge.Uplink;

/// <summary>
/// The connection's TCP socket (to the server, or to the proxy), never used asynchronously, so that it stays
/// out of .NET's socket event loop: there, every packet that reaches an idle connection is handed to the
/// thread pool (at least once for its "writable" half, even when a thread already waits to read it), which
/// wakes two workers and the pool's gate thread. The socket is non-blocking: a read or write goes at once on
/// the caller's thread when the socket can take it (a write the kernel has room for, a read with data
/// waiting); otherwise it goes on to a thread of its own (<see cref="OwnThreadCall"/>), which waits in
/// poll(2) for the kernel to wake it alone, and the TLS, WebSocket and receive-loop code awaiting it goes on
/// on that thread. Bytes the kernel takes after a full send queue had made a write wait count as movement
/// (<see cref="TransportActivity.OnDrained"/>): room came back because the peer acknowledged some, so a
/// large frame crawling through a slow link keeps the connection alive while a frozen peer does not.
/// </summary>
internal sealed class OwnThreadSocketStream : Stream
{
    private readonly Socket _socket;
    private readonly TransportActivity _activity;
    private readonly OwnThreadCall _reads;
    private readonly OwnThreadCall _writes;

    private OwnThreadSocketStream(Socket socket, TransportActivity activity)
    {
        _socket = socket;
        _activity = activity;
        _socket.Blocking = false;
        _reads = new OwnThreadCall("FileSync receive", ReceiveWhenReady, Abort);
        _writes = new OwnThreadCall("FileSync send", SendWhenReady, Abort);
    }

    /// <summary>The socket: its send queue shows an upload draining (<see cref="SocketSendQueue"/>).</summary>
    public Socket Socket => _socket;

    /// <summary>
    /// Connects with a blocking call on a thread of its own. A cancelled connect closes the socket and returns
    /// at once, even where the system cannot interrupt the connect (the thread then ends when it fails).
    /// </summary>
    /// <param name="activity">Told when a waiting write's bytes move on (the peer acknowledged earlier ones).</param>
    public static async Task<OwnThreadSocketStream> ConnectAsync(
        DnsEndPoint endPoint,
        TransportActivity activity,
        CancellationToken cancellationToken
    )
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var connected = new TaskCompletionSource(
            TaskCreationOptions.RunContinuationsAsynchronously
        );
        using var cancel = cancellationToken.UnsafeRegister(
            static state => ((Socket)state!).Dispose(),
            socket
        );
        new Thread(() =>
        {
            try
            {
                socket.Connect(endPoint);
                connected.TrySetResult();
            }
            catch (Exception ex)
            {
                connected.TrySetException(ex);
            }
        })
        {
            IsBackground = true,
            Name = "FileSync connect",
        }.Start();
        try
        {
            await connected.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            return new OwnThreadSocketStream(socket, activity);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) =>
        Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        while (true)
        {
            if (TryReceive(buffer, out var read))
            {
                return read;
            }
            _socket.Poll(-1, SelectMode.SelectRead);
        }
    }

    public override Task<int> ReadAsync(
        byte[] buffer,
        int offset,
        int count,
        CancellationToken cancellationToken
    ) => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask<int> ReadAsync(
        Memory<byte> buffer,
        CancellationToken cancellationToken = default
    )
    {
        if (!buffer.IsEmpty && !cancellationToken.IsCancellationRequested && _reads.IsIdle)
        {
            try
            {
                if (TryReceive(buffer.Span, out var read))
                {
                    return ValueTask.FromResult(read);
                }
            }
            catch (Exception ex)
            {
                return ValueTask.FromException<int>(ex);
            }
        }
        return _reads.CallAsync(buffer, cancellationToken);
    }

    public override void Write(byte[] buffer, int offset, int count) =>
        Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        var waited = false;
        while (true)
        {
            var sent = SendAvailable(buffer);
            if (waited && sent > 0)
            {
                // The queue was full when this write last tried: only the peer's acknowledgements made room.
                _activity.OnDrained();
            }
            buffer = buffer[sent..];
            if (buffer.IsEmpty)
            {
                return;
            }
            _socket.Poll(-1, SelectMode.SelectWrite);
            waited = true;
        }
    }

    public override Task WriteAsync(
        byte[] buffer,
        int offset,
        int count,
        CancellationToken cancellationToken
    ) => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(
        ReadOnlyMemory<byte> buffer,
        CancellationToken cancellationToken = default
    )
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }
        var sent = 0;
        if (_writes.IsIdle)
        {
            try
            {
                sent = SendAvailable(buffer.Span);
            }
            catch (Exception ex)
            {
                return ValueTask.FromException(ex);
            }
        }
        return sent == buffer.Length
            ? ValueTask.CompletedTask
            : _writes.CallWithoutResultAsync(
                MemoryMarshal.AsMemory(buffer[sent..]),
                cancellationToken
            );
    }

    public override void Flush() { }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private int ReceiveWhenReady(Memory<byte> buffer) => Read(buffer.Span);

    private int SendWhenReady(Memory<byte> buffer)
    {
        Write(buffer.Span);
        return buffer.Length;
    }

    /// <summary>Reads what has arrived; false when nothing has.</summary>
    private bool TryReceive(Span<byte> buffer, out int read)
    {
        read = _socket.Receive(buffer, SocketFlags.None, out var error);
        return error switch
        {
            SocketError.Success => true,
            SocketError.WouldBlock => false,
            _ => throw Failure(error, "read data from"),
        };
    }

    /// <summary>Writes what the kernel takes now; returns how much that was.</summary>
    private int SendAvailable(ReadOnlySpan<byte> buffer)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var sent = _socket.Send(buffer[total..], SocketFlags.None, out var error);
            if (error == SocketError.WouldBlock)
            {
                break;
            }
            if (error != SocketError.Success)
            {
                throw Failure(error, "write data to");
            }
            total += sent;
        }
        return total;
    }

    /// <summary>As <see cref="NetworkStream"/> reports a failed call: an IOException around the socket's error.</summary>
    private static IOException Failure(SocketError error, string what)
    {
        var socketError = new SocketException((int)error);
        return new IOException(
            $"Unable to {what} the transport connection: {socketError.Message}.",
            socketError
        );
    }

    /// <summary>Closes the socket; shutting it down first wakes a thread waiting in poll(2) on it.</summary>
    private void Abort()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Not connected any more, or closed already.
        }
        _socket.Dispose();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _reads.End();
            _writes.End();
            Abort();
        }
        base.Dispose(disposing);
    }
}
