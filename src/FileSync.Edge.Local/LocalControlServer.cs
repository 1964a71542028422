using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Local;

/// <summary>
/// Serves the local control endpoint: accepts connections (at most <see cref="LocalProtocol.MaxConnections"/>
/// at once), reads newline-delimited JSON requests (each at most <see cref="LocalProtocol.MaxRequestBytes"/>),
/// answers each with one line. A malformed request gets an error answer and the connection stays open;
/// an over-long one gets an error and the connection is closed; an idle one is closed after
/// <see cref="LocalProtocol.IdleTimeout"/>. Nothing a client sends stops the server or the agent.
/// </summary>
public sealed partial class LocalControlServer(
    LocalControlListener listener,
    ILocalCommandHandler handler,
    TimeProvider time,
    ILogger<LocalControlServer> logger
)
{
    private int _connections;

    /// <summary>Accepts and serves connections until <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        Log.Listening(logger, listener.Address.ToString());
        while (!cancellationToken.IsCancellationRequested)
        {
            Stream connection;
            try
            {
                connection = await listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException)
            {
                Log.AcceptFailed(logger, ex.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(100), time, cancellationToken)
                    .ConfigureAwait(false);
                continue;
            }
            if (Interlocked.Increment(ref _connections) > LocalProtocol.MaxConnections)
            {
                Interlocked.Decrement(ref _connections);
                _ = RefuseAsync(connection, time);
                continue;
            }
            _ = ServeAsync(connection, cancellationToken);
        }
    }

    private static async Task RefuseAsync(Stream connection, TimeProvider time)
    {
        await using (connection.ConfigureAwait(false))
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2), time);
                await WriteAsync(
                        connection,
                        LocalResponse.Failure(
                            LocalErrorCodes.Busy,
                            $"the agent serves at most {LocalProtocol.MaxConnections} local connections at once; try again"
                        ),
                        timeout.Token
                    )
                    .ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException)
            {
                // Gone already.
            }
        }
    }

    private async Task ServeAsync(Stream connection, CancellationToken cancellationToken)
    {
        try
        {
            await using (connection.ConfigureAwait(false))
            {
                await ServeRequestsAsync(connection, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Idle, or the agent is stopping.
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.ConnectionFailed(logger, ex.Message);
        }
        finally
        {
            Interlocked.Decrement(ref _connections);
        }
    }

    private async Task ServeRequestsAsync(Stream connection, CancellationToken cancellationToken)
    {
        var reader = new LineReader(connection, LocalProtocol.MaxRequestBytes);
        while (true)
        {
            byte[]? line;
            using (var timeout = new CancellationTokenSource(LocalProtocol.IdleTimeout, time))
            using (
                var idle = CancellationTokenSource.CreateLinkedTokenSource(
                    cancellationToken,
                    timeout.Token
                )
            )
            {
                try
                {
                    line = await reader.ReadLineAsync(idle.Token).ConfigureAwait(false);
                }
                catch (LineTooLongException ex)
                {
                    await WriteAsync(
                            connection,
                            LocalResponse.Failure(LocalErrorCodes.RequestTooLarge, ex.Message),
                            cancellationToken
                        )
                        .ConfigureAwait(false);
                    await CloseAfterRefusalAsync(connection).ConfigureAwait(false);
                    return;
                }
            }
            if (line is null)
            {
                return;
            }
            if (line.Length == 0)
            {
                continue;
            }
            var (request, problem) = Parse(line);
            if (request is null)
            {
                await WriteAsync(connection, problem!, cancellationToken).ConfigureAwait(false);
                continue;
            }
            if (request.Command == LocalCommands.Logs && request.Follow)
            {
                await FollowAsync(connection, reader, request.After, cancellationToken)
                    .ConfigureAwait(false);
                return;
            }
            LocalResponse response;
            try
            {
                response = await handler
                    .HandleAsync(request, cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (Exception ex)
                when (ex is not (OutOfMemoryException or OperationCanceledException))
            {
                Log.RequestFailed(logger, request.Command ?? "", ex.Message);
                response = LocalResponse.Failure(
                    LocalErrorCodes.InternalError,
                    $"'{request.Command}' failed: {ex.Message.ReplaceLineEndings(" ")}"
                );
            }
            await WriteAsync(connection, response, cancellationToken).ConfigureAwait(false);
            if (response.Ok)
            {
                handler.AfterResponse(request);
            }
        }
    }

    /// <summary>
    /// Ends our side and reads away (bounded) what the client is still sending: closing with unread
    /// data would reset the connection, and the client would never see the error line.
    /// </summary>
    private async Task CloseAfterRefusalAsync(Stream connection)
    {
        if (connection is System.Net.Sockets.NetworkStream network)
        {
            network.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
        }
        using var drain = new CancellationTokenSource(DrainTimeout, time);
        var buffer = new byte[16 * 1024];
        var drained = 0L;
        try
        {
            while (drained < MaxDrainBytes)
            {
                var read = await connection.ReadAsync(buffer, drain.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    return;
                }
                drained += read;
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            // Closed either way.
        }
    }

    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(2);
    private const long MaxDrainBytes = 4 * 1024 * 1024;

    /// <summary>Streams log lines until the client goes away (end of its stream) or the agent stops.</summary>
    private async Task FollowAsync(
        Stream connection,
        LineReader reader,
        long after,
        CancellationToken cancellationToken
    )
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var clientGone = WatchForEndAsync(reader, stop);
        try
        {
            await handler
                .FollowLogsAsync(
                    after,
                    (response, token) => WriteAsync(connection, response, token),
                    stop.Token
                )
                .ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The client left, or the agent is stopping.
        }
        catch (IOException)
        {
            // The client left while a line was written.
        }
        await stop.CancelAsync().ConfigureAwait(false);
        await clientGone.ConfigureAwait(false);
    }

    private static async Task WatchForEndAsync(LineReader reader, CancellationTokenSource stop)
    {
        try
        {
            // Anything a follower sends is ignored; the end of its stream ends the follow.
            while (await reader.ReadLineAsync(stop.Token).ConfigureAwait(false) is not null) { }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            // Ends the follow either way.
        }
        await stop.CancelAsync().ConfigureAwait(false);
    }

    private static (LocalRequest? Request, LocalResponse? Problem) Parse(byte[] line)
    {
        LocalRequest? request;
        try
        {
            request = JsonSerializer.Deserialize(line, LocalJsonContext.Default.LocalRequest);
        }
        catch (JsonException ex)
        {
            return (
                null,
                LocalResponse.Failure(
                    LocalErrorCodes.MalformedRequest,
                    $"not a JSON request object: {ex.Message.ReplaceLineEndings(" ")}"
                )
            );
        }
        if (request is null)
        {
            return (
                null,
                LocalResponse.Failure(LocalErrorCodes.MalformedRequest, "the request is 'null'")
            );
        }
        if ((request.V ?? LocalProtocol.Version) != LocalProtocol.Version)
        {
            return (
                null,
                LocalResponse.Failure(
                    LocalErrorCodes.UnsupportedVersion,
                    $"this agent speaks version {LocalProtocol.Version} of the local protocol, not {request.V}"
                )
            );
        }
        if (string.IsNullOrEmpty(request.Command))
        {
            return (
                null,
                LocalResponse.Failure(
                    LocalErrorCodes.MalformedRequest,
                    "the request has no 'command'"
                )
            );
        }
        return (request, null);
    }

    private static async Task WriteAsync(
        Stream connection,
        LocalResponse response,
        CancellationToken cancellationToken
    )
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(
            response,
            LocalJsonContext.Default.LocalResponse
        );
        var line = new byte[bytes.Length + 1];
        bytes.CopyTo(line, 0);
        line[^1] = (byte)'\n';
        await connection.WriteAsync(line, cancellationToken).ConfigureAwait(false);
        await connection.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
