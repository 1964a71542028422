namespace FileSync.Edge.Benchmarks.Measuring;

/// <summary>
/// Where a process's memory is at its peak: reads its mappings (<see cref="ResidentMappings"/>) every
/// 100 ms until stopped and keeps the reading with the largest resident set. VmHWM gives the peak's size
/// only; this gives its parts, within one sampling interval of the peak.
/// </summary>
internal sealed class PeakResidentSampler : IAsyncDisposable
{
    private static readonly TimeSpan s_interval = TimeSpan.FromMilliseconds(100);

    private readonly int _pid;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task<ResidentMappings?> _sampling;

    public PeakResidentSampler(int pid)
    {
        _pid = pid;
        _sampling = Task.Run(SampleAsync);
    }

    /// <summary>Stops sampling; the largest reading, or null when none could be taken.</summary>
    public async Task<ResidentMappings?> StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        return await _sampling.ConfigureAwait(false);
    }

    private async Task<ResidentMappings?> SampleAsync()
    {
        ResidentMappings? peak = null;
        using var timer = new PeriodicTimer(s_interval);
        try
        {
            do
            {
                if (ResidentMappings.Read(_pid) is not { } now)
                {
                    break;
                }
                if (peak is null || now.TotalKilobytes > peak.TotalKilobytes)
                {
                    peak = now;
                }
            } while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
        return peak;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stop.Dispose();
    }
}
