using System.Diagnostics;
using System.Text.Json;
using FileSync.Edge.Benchmarks.Processes;

namespace FileSync.Edge.Benchmarks.ManyEdges;

/// <summary>
/// Polls the server's <c>GET /api/status</c> every 100 ms for as long as it lives, recording each
/// answer's latency and the server's open file descriptors: the admin API must keep answering while
/// many edges sync.
/// </summary>
internal sealed class AdminProbe : IDisposable
{
    private static readonly TimeSpan s_interval = TimeSpan.FromMilliseconds(100);

    private readonly HttpClient _http;
    private readonly int _serverPid;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly Task _loop;
    private List<double> _latencies = [];
    private StatusSnapshot? _last;
    private int _peakDescriptors;

    public AdminProbe(ServerProcess server)
    {
        _serverPid = server.Process.Id;
        _http = new HttpClient
        {
            BaseAddress = new Uri($"http://127.0.0.1:{server.Port}"),
            Timeout = TimeSpan.FromSeconds(60),
        };
        _loop = Task.Run(LoopAsync);
    }

    public StatusSnapshot? Last => Volatile.Read(ref _last);

    public int PeakFileDescriptors => Volatile.Read(ref _peakDescriptors);

    /// <summary>The latencies (ms) recorded since the last call.</summary>
    public List<double> TakeLatencies()
    {
        lock (_gate)
        {
            var taken = _latencies;
            _latencies = [];
            return taken;
        }
    }

    public async Task WaitUntilAsync(
        Func<StatusSnapshot, bool> condition,
        TimeSpan timeout,
        Func<string> progress
    )
    {
        var started = Stopwatch.GetTimestamp();
        var lastReport = started;
        while (Last is not { } last || !condition(last))
        {
            if (Stopwatch.GetElapsedTime(started) > timeout)
            {
                throw new TimeoutException(
                    $"not converged after {timeout.TotalSeconds:F0} s: {progress()}"
                );
            }
            if (Stopwatch.GetElapsedTime(lastReport).TotalSeconds >= 10)
            {
                lastReport = Stopwatch.GetTimestamp();
                await Console.Error.WriteLineAsync($"    {progress()}").ConfigureAwait(false);
            }
            await Task.Delay(s_interval).ConfigureAwait(false);
        }
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var started = Stopwatch.GetTimestamp();
                var body = await _http
                    .GetByteArrayAsync("/api/status", _stop.Token)
                    .ConfigureAwait(false);
                var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                lock (_gate)
                {
                    _latencies.Add(elapsed);
                }
                Volatile.Write(ref _last, StatusSnapshot.Parse(body));
                var descriptors = Directory.GetFiles($"/proc/{_serverPid}/fd").Length;
                if (descriptors > _peakDescriptors)
                {
                    Volatile.Write(ref _peakDescriptors, descriptors);
                }
                await Task.Delay(s_interval, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or JsonException)
            {
                await Console
                    .Error.WriteLineAsync($"    admin API: {ex.Message}")
                    .ConfigureAwait(false);
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // Ended by the cancellation.
        }
        _stop.Dispose();
        _http.Dispose();
    }
}

/// <summary>What one <c>/api/status</c> answer said about the workspaces.</summary>
internal sealed record StatusSnapshot(IReadOnlyList<(bool Done, int Files)> Workspaces)
{
    public int CompleteWorkspaces(int files) => Workspaces.Count(w => w.Done && w.Files >= files);

    public static StatusSnapshot Parse(byte[] body)
    {
        using var document = JsonDocument.Parse(body);
        return new StatusSnapshot([
            .. document
                .RootElement.GetProperty("workspaces")
                .EnumerateArray()
                .Select(w =>
                    (w.GetProperty("done").GetBoolean(), w.GetProperty("files").GetInt32())
                ),
        ]);
    }
}
