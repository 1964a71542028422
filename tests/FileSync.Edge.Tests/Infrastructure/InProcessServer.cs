using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using FileSync.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace FileSync.Edge.Tests.Infrastructure;

/// <summary>
/// The real <c>filesync-server</c> application on a real Kestrel on 127.0.0.1, in-process. Startup
/// and stop are bounded; the server's logs are captured (see <see cref="Logs"/>) and echoed to the
/// test output. Stopping and starting a new instance on the same <see cref="Port"/> simulates a
/// server restart.
/// </summary>
public sealed class InProcessServer : IAsyncDisposable
{
    /// <summary>Longest time <see cref="StartAsync"/> may take, binding retries included.</summary>
    public static readonly TimeSpan StartupTimeout = Wait.Generous;

    /// <summary>Longest time <see cref="StopAsync"/> may take.</summary>
    public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);

    private readonly WebApplication _app;
    private readonly HttpClient _http;
    private int _stopped;

    private InProcessServer(
        WebApplication app,
        Uri baseAddress,
        string mirrorDirectory,
        LogSink logs
    )
    {
        _app = app;
        BaseAddress = baseAddress;
        Port = baseAddress.Port;
        WebSocketUri = new UriBuilder(baseAddress)
        {
            Scheme = "ws",
            Path = MirrorServer.EdgePath,
        }.Uri;
        MirrorDirectory = mirrorDirectory;
        Logs = logs;
        _http = new HttpClient { BaseAddress = baseAddress, Timeout = Wait.Generous };
    }

    /// <summary><c>http://127.0.0.1:PORT/</c></summary>
    public Uri BaseAddress { get; }

    /// <summary><c>ws://127.0.0.1:PORT/ws/v1/edge</c></summary>
    public Uri WebSocketUri { get; }

    public int Port { get; }

    public string MirrorDirectory { get; }

    /// <summary>Everything the server logged (Debug and up).</summary>
    public LogSink Logs { get; }

    /// <summary>
    /// Builds and starts a server. With a fixed <paramref name="port"/> that is still held (a
    /// restart right after a stop), binding is retried until <see cref="StartupTimeout"/>.
    /// </summary>
    public static async Task<InProcessServer> StartAsync(
        string mirrorDir,
        string? apiKey = null,
        bool legacy = false,
        int port = 0,
        ITestOutputHelper? output = null,
        Action<ServerOptions>? configure = null
    )
    {
        var logs = new LogSink(output);
        var started = Stopwatch.StartNew();
        while (true)
        {
            var options = new ServerOptions
            {
                Port = port,
                MirrorDirectory = mirrorDir,
                ApiKey = apiKey,
                Legacy = legacy,
            };
            configure?.Invoke(options);
            var app = MirrorServer.Build(
                options,
                logging =>
                {
                    logging.SetMinimumLevel(LogLevel.Debug);
                    logging.AddFilter("Microsoft", LogLevel.Warning);
                    logging.AddProvider(logs);
                }
            );
            var remaining = StartupTimeout - started.Elapsed;
            try
            {
                using var cancel = new CancellationTokenSource(remaining);
                await app.StartAsync(cancel.Token).WaitAsync(remaining);
                return new InProcessServer(
                    app,
                    ReadBoundAddress(app),
                    Path.GetFullPath(mirrorDir),
                    logs
                );
            }
            catch (IOException) when (port != 0 && started.Elapsed < StartupTimeout)
            {
                // The previous instance's socket on this port is not released yet.
                await app.DisposeAsync();
                await Task.Delay(TimeSpan.FromMilliseconds(50));
            }
            catch (Exception ex)
            {
                await app.DisposeAsync();
                throw new InvalidOperationException(
                    $"The in-process server did not start within {StartupTimeout}: {ex.Message}{Environment.NewLine}"
                        + $"Server log:{Environment.NewLine}{logs.Format()}",
                    ex
                );
            }
        }
    }

    public async Task<ServerStatus> GetStatusAsync()
    {
        var status = await _http.GetFromJsonAsync(
            "api/status",
            ServerJsonContext.Default.ServerStatus
        );
        return status ?? throw new InvalidOperationException("GET /api/status returned null");
    }

    public async Task<IReadOnlyList<ReplyRecord>> GetRepliesAsync(string edgeId)
    {
        var replies = await _http.GetFromJsonAsync(
            $"api/edges/{Uri.EscapeDataString(edgeId)}/replies",
            ServerJsonContext.Default.ReplyRecordArray
        );
        return replies ?? throw new InvalidOperationException("GET replies returned null");
    }

    /// <summary>Forwards a server→edge message; throws unless the server answers 202.</summary>
    public async Task SendCommandAsync(string edgeId, string json)
    {
        var status = await TrySendCommandAsync(edgeId, json);
        if (status != HttpStatusCode.Accepted)
        {
            throw new HttpRequestException(
                $"POST commands for {edgeId} answered {(int)status} {status}",
                null,
                status
            );
        }
    }

    /// <summary>Posts a command and returns the HTTP status (202, 400, 404, …).</summary>
    public async Task<HttpStatusCode> TrySendCommandAsync(string edgeId, string json)
    {
        using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync(
            $"api/edges/{Uri.EscapeDataString(edgeId)}/commands",
            content
        );
        return response.StatusCode;
    }

    /// <summary>Stops the server (edges get a close frame, then are aborted); idempotent, bounded by <see cref="StopTimeout"/>.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }
        using var cancel = new CancellationTokenSource(StopTimeout);
        await _app.StopAsync(cancel.Token).WaitAsync(StopTimeout);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            _http.Dispose();
            await _app.DisposeAsync();
        }
    }

    private static Uri ReadBoundAddress(WebApplication app)
    {
        var addresses =
            app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()
            ?? throw new InvalidOperationException("Kestrel exposes no IServerAddressesFeature");
        var address =
            addresses.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("Kestrel reports no address");
        return new Uri(address.EndsWith('/') ? address : address + "/");
    }
}
