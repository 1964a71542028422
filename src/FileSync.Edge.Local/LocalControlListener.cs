using System.IO.Pipes;
using System.Net.Sockets;
using System.Runtime.Versioning;

namespace FileSync.Edge.Local;

/// <summary>
/// Owns the local control endpoint: a Unix domain socket (mode 0600, in a folder checked by
/// <see cref="LocalRuntimeDirectory"/>) or, on Windows, a named pipe only the current user can open.
/// Claiming it is how one agent per config file is enforced: a live agent that answers keeps it; a
/// stale socket file that nobody listens on is removed and taken over.
/// </summary>
public sealed class LocalControlListener : IAsyncDisposable
{
    /// <summary>How long the probe of an existing endpoint waits for an answer.</summary>
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(3);

    private readonly Socket? _socket;
    private NamedPipeServerStream? _pendingPipe;
    private int _disposed;

    private LocalControlListener(
        LocalEndpointAddress address,
        Socket? socket,
        NamedPipeServerStream? pipe
    )
    {
        Address = address;
        _socket = socket;
        _pendingPipe = pipe;
    }

    public LocalEndpointAddress Address { get; }

    /// <summary>Takes the endpoint at <paramref name="address"/> for this process, unless a live agent holds it.</summary>
    public static async Task<LocalEndpointClaim> ClaimAsync(
        LocalEndpointAddress address,
        CancellationToken cancellationToken = default
    )
    {
        if (address.IsPipe)
        {
            return OperatingSystem.IsWindows()
                ? await ClaimPipeAsync(address, cancellationToken).ConfigureAwait(false)
                : new LocalEndpointClaim(null, false, null, "named pipes are for Windows");
        }
        return OperatingSystem.IsWindows()
            ? new LocalEndpointClaim(null, false, null, "Unix sockets are not used on Windows")
            : await ClaimSocketAsync(address, cancellationToken).ConfigureAwait(false);
    }

    [UnsupportedOSPlatform("windows")]
    private static async Task<LocalEndpointClaim> ClaimSocketAsync(
        LocalEndpointAddress address,
        CancellationToken cancellationToken
    )
    {
        if (LocalRuntimeDirectory.Ensure(address.Directory!) is { } problem)
        {
            return new LocalEndpointClaim(null, false, null, problem);
        }
        UnixDomainSocketEndPoint endPoint;
        try
        {
            endPoint = new UnixDomainSocketEndPoint(address.Path);
        }
        catch (ArgumentException ex)
        {
            return new LocalEndpointClaim(
                null,
                false,
                null,
                $"socket path {address.Path}: {ex.Message}"
            );
        }
        // Two rounds: a stale socket is removed after the first; a racing agent may bind in between.
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var socket = new Socket(
                AddressFamily.Unix,
                SocketType.Stream,
                ProtocolType.Unspecified
            );
            try
            {
                socket.Bind(endPoint);
                // The folder is 0700, so nobody else can reach the socket between bind and chmod.
                File.SetUnixFileMode(address.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                socket.Listen(128);
                return new LocalEndpointClaim(
                    new LocalControlListener(address, socket, null),
                    false,
                    null,
                    null
                );
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                socket.Dispose();
            }
            catch (Exception ex)
                when (ex is SocketException or IOException or UnauthorizedAccessException)
            {
                socket.Dispose();
                return new LocalEndpointClaim(
                    null,
                    false,
                    null,
                    $"cannot listen on {address.Path}: {ex.Message}"
                );
            }
            var probe = await ProbeAsync(address, cancellationToken).ConfigureAwait(false);
            if (probe.InUse)
            {
                return probe;
            }
            if (!LocalRuntimeDirectory.IsSocket(address.Path))
            {
                return new LocalEndpointClaim(
                    null,
                    false,
                    null,
                    $"{address.Path} exists and is not a socket; remove it"
                );
            }
            try
            {
                File.Delete(address.Path); // stale: its agent is gone
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return new LocalEndpointClaim(
                    null,
                    false,
                    null,
                    $"cannot remove the stale socket {address.Path}: {ex.Message}"
                );
            }
        }
        return new LocalEndpointClaim(
            null,
            false,
            null,
            $"cannot claim {address.Path}: another process keeps creating it"
        );
    }

    [SupportedOSPlatform("windows")]
    private static async Task<LocalEndpointClaim> ClaimPipeAsync(
        LocalEndpointAddress address,
        CancellationToken cancellationToken
    )
    {
        try
        {
            var pipe = NewPipe(address, first: true);
            return new LocalEndpointClaim(
                new LocalControlListener(address, null, pipe),
                false,
                null,
                null
            );
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            var probe = await ProbeAsync(address, cancellationToken).ConfigureAwait(false);
            return probe.InUse
                ? probe
                : new LocalEndpointClaim(
                    null,
                    false,
                    null,
                    $"cannot create the pipe {address}: {ex.Message}"
                );
        }
    }

    [SupportedOSPlatform("windows")]
    private static NamedPipeServerStream NewPipe(LocalEndpointAddress address, bool first) =>
        new(
            address.Path,
            PipeDirection.InOut,
            LocalProtocol.MaxConnections + 1,
            PipeTransmissionMode.Byte,
            PipeOptions.Asynchronous
                | PipeOptions.CurrentUserOnly
                | (first ? PipeOptions.FirstPipeInstance : PipeOptions.None)
        );

    /// <summary>Asks whoever listens at <paramref name="address"/> for a ping: a live agent answers.</summary>
    private static async Task<LocalEndpointClaim> ProbeAsync(
        LocalEndpointAddress address,
        CancellationToken cancellationToken
    )
    {
        try
        {
            var answer = await LocalControlClient
                .RequestAsync(
                    address,
                    new LocalRequest { Command = LocalCommands.Ping },
                    ProbeTimeout,
                    cancellationToken
                )
                .ConfigureAwait(false);
            return new LocalEndpointClaim(null, true, answer.Status, null);
        }
        catch (AgentNotRunningException)
        {
            return new LocalEndpointClaim(null, false, null, null);
        }
        catch (IOException)
        {
            // Something accepts connections there but does not answer (a frozen agent): never steal it.
            return new LocalEndpointClaim(null, true, null, null);
        }
    }

    /// <summary>Waits for the next connection.</summary>
    public async Task<Stream> AcceptAsync(CancellationToken cancellationToken = default)
    {
        if (_socket is not null)
        {
            var connection = await _socket.AcceptAsync(cancellationToken).ConfigureAwait(false);
            return new NetworkStream(connection, ownsSocket: true);
        }
        if (!OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException();
        }
        var pipe = _pendingPipe ?? throw new ObjectDisposedException(nameof(LocalControlListener));
        await pipe.WaitForConnectionAsync(cancellationToken).ConfigureAwait(false);
        // The next instance exists before this one is handed out, so the name stays ours.
        _pendingPipe = NewPipe(Address, first: false);
        return pipe;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        if (_socket is not null)
        {
            _socket.Dispose();
            try
            {
                File.Delete(Address.Path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Left behind: the next agent sees nobody listening and takes it over.
            }
        }
        if (_pendingPipe is not null)
        {
            await _pendingPipe.DisposeAsync().ConfigureAwait(false);
        }
    }
}
