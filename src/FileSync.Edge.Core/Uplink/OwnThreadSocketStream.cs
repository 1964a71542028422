using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace FileSync.Edge.Uplink;

/// <summary>
/// The connection's TCP socket (to the server, or to the proxy), read and written by blocking calls on two
/// threads of its own (<see cref="OwnThreadCall"/>). The socket is never used asynchronously, so it stays out
/// of .NET's socket event loop: there, every packet that reaches an idle connection is handed to the thread
/// pool (at least once for its "writable" half, even when a thread already waits to read it), which wakes two
/// workers and the pool's gate thread. Here the kernel wakes the receive thread alone, and the TLS, WebSocket
/// and receive-loop code that awaits the read runs on it.
/// </summary>
internal sealed class OwnThreadSocketStream : Stream
{
    private readonly Socket _socket;
    private readonly OwnThreadCall _reads;
    private readonly OwnThreadCall _writes;

    private OwnThreadSocketStream(Socket socket)
    {
        _socket = socket;
        _reads = new OwnThreadCall("FileSync receive", Receive, Abort);
        _writes = new OwnThreadCall("FileSync send", SendAll, Abort);
    }

    /// <summary>The socket: its send queue shows an upload draining (<see cref="SocketSendQueue"/>).</summary>
    public Socket Socket => _socket;

    /// <summary>
    /// Connects with a blocking call on a thread of its own. A cancelled connect closes the socket and returns
    /// at once, even where the system cannot interrupt the connect (the thread then ends when it fails).
    /// </summary>
    public static async Task<OwnThreadSocketStream> ConnectAsync(
        DnsEndPoint endPoint,
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
            return new OwnThreadSocketStream(socket);
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

    public override int Read(Span<byte> buffer) => _socket.Receive(buffer);

    public override Task<int> ReadAsync(
        byte[] buffer,
        int offset,
        int count,
        CancellationToken cancellationToken
    ) => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask<int> ReadAsync(
        Memory<byte> buffer,
        CancellationToken cancellationToken = default
    ) => _reads.CallAsync(buffer, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) =>
        Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            buffer = buffer[_socket.Send(buffer)..];
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
    ) => _writes.CallWithoutResultAsync(MemoryMarshal.AsMemory(buffer), cancellationToken);

    public override void Flush() { }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private int Receive(Memory<byte> buffer) => _socket.Receive(buffer.Span);

    private int SendAll(Memory<byte> buffer)
    {
        Write(buffer.Span);
        return buffer.Length;
    }

    private void Abort() => _socket.Dispose();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _reads.End();
            _writes.End();
            _socket.Dispose();
        }
        base.Dispose(disposing);
    }
}
