using System.IO.Pipes;
using System.Net.Sockets;
using System.Text.Json;

namespace FileSync.Edge.Local;

/// <summary>
/// A connection to a running agent's local control endpoint (used by the CLI commands and the tray):
/// one request line out, one response line back; <c>logs</c> with <c>follow</c> keeps sending lines.
/// </summary>
public sealed class LocalControlClient : IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly LineReader _reader;

    private LocalControlClient(Stream stream)
    {
        _stream = stream;
        _reader = new LineReader(stream, LocalProtocol.MaxResponseBytes);
    }

    /// <summary>
    /// The longest a connect waits: an agent accepts at once, and a named pipe that does not exist is
    /// waited for (where pipes cannot be listed, as under Wine) — so a longer wait means no agent.
    /// </summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Connects to the agent at <paramref name="address"/>.</summary>
    /// <param name="timeout">How long to wait for the connection (at most <see cref="ConnectTimeout"/>).</param>
    /// <exception cref="AgentNotRunningException">Nothing listens there, or nothing accepted the connection in time.</exception>
    /// <exception cref="IOException">The endpoint exists but cannot be reached (permissions).</exception>
    public static async Task<LocalControlClient> ConnectAsync(
        LocalEndpointAddress address,
        TimeSpan timeout,
        CancellationToken cancellationToken = default,
        TimeProvider? time = null
    )
    {
        if (timeout > ConnectTimeout)
        {
            timeout = ConnectTimeout;
        }
        using var timer = new CancellationTokenSource(timeout, time ?? TimeProvider.System);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(
            cancellationToken,
            timer.Token
        );
        if (address.IsPipe)
        {
            var pipe = new NamedPipeClientStream(
                ".",
                address.Path,
                PipeDirection.InOut,
                PipeOptions.Asynchronous | PipeOptions.CurrentUserOnly
            );
            try
            {
                // Listing the pipes (unlike opening one by name to see if it exists) never disturbs a server.
                if (!PipeExists(address.Path))
                {
                    throw new AgentNotRunningException(address, "no such pipe");
                }
                await pipe.ConnectAsync(deadline.Token).ConfigureAwait(false);
                return new LocalControlClient(pipe);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                await pipe.DisposeAsync().ConfigureAwait(false);
                throw NotAccepted(address, timeout);
            }
            catch
            {
                await pipe.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket
                .ConnectAsync(new UnixDomainSocketEndPoint(address.Path), deadline.Token)
                .ConfigureAwait(false);
            return new LocalControlClient(new NetworkStream(socket, ownsSocket: true));
        }
        catch (SocketException ex)
            when (ex.SocketErrorCode
                    is SocketError.ConnectionRefused
                        or SocketError.AddressNotAvailable
                        or SocketError.HostNotFound
                || !File.Exists(address.Path)
            )
        {
            socket.Dispose();
            throw new AgentNotRunningException(
                address,
                File.Exists(address.Path) ? "a stale socket, nobody listening" : "no socket"
            );
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new IOException($"cannot connect to {address}: {ex.Message}", ex);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw NotAccepted(address, timeout);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static AgentNotRunningException NotAccepted(
        LocalEndpointAddress address,
        TimeSpan timeout
    ) => new(address, $"nothing accepted a connection within {timeout.TotalSeconds:0.#} s");

    private static bool PipeExists(string name)
    {
        try
        {
            return Directory
                .EnumerateFiles(@"\\.\pipe\")
                .Any(pipe =>
                    string.Equals(Path.GetFileName(pipe), name, StringComparison.OrdinalIgnoreCase)
                );
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return true; // cannot tell: try to connect
        }
    }

    /// <summary>Sends <paramref name="request"/> and reads its response.</summary>
    /// <exception cref="IOException">The agent closed the connection or sent something unreadable.</exception>
    public async Task<LocalResponse> SendAsync(
        LocalRequest request,
        CancellationToken cancellationToken = default
    )
    {
        await WriteAsync(request, cancellationToken).ConfigureAwait(false);
        return await ReadAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new IOException("the agent closed the connection without answering");
    }

    /// <summary>Writes one request line.</summary>
    public async Task WriteAsync(
        LocalRequest request,
        CancellationToken cancellationToken = default
    )
    {
        var line = JsonSerializer.SerializeToUtf8Bytes(
            request with
            {
                V = request.V ?? LocalProtocol.Version,
            },
            LocalJsonContext.Default.LocalRequest
        );
        await _stream.WriteAsync(line, cancellationToken).ConfigureAwait(false);
        await _stream.WriteAsync("\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The next response line, or null when the agent closed the connection.</summary>
    public async Task<LocalResponse?> ReadAsync(CancellationToken cancellationToken = default)
    {
        var line = await _reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        if (line is null)
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize(line, LocalJsonContext.Default.LocalResponse)
                ?? throw new IOException("the agent answered 'null'");
        }
        catch (JsonException ex)
        {
            throw new IOException($"the agent's answer is not valid JSON: {ex.Message}", ex);
        }
    }

    /// <summary>Connects, sends one request and returns its response.</summary>
    public static async Task<LocalResponse> RequestAsync(
        LocalEndpointAddress address,
        LocalRequest request,
        TimeSpan timeout,
        CancellationToken cancellationToken = default,
        TimeProvider? time = null
    )
    {
        await using var client = await ConnectAsync(address, timeout, cancellationToken, time)
            .ConfigureAwait(false);
        using var timer = new CancellationTokenSource(timeout, time ?? TimeProvider.System);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(
            cancellationToken,
            timer.Token
        );
        try
        {
            return await client.SendAsync(request, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new IOException(
                $"the agent at {address} did not answer within {timeout.TotalSeconds:F0} s"
            );
        }
    }

    public ValueTask DisposeAsync() => _stream.DisposeAsync();
}
