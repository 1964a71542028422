using System.Diagnostics;
using FileSync.Edge.Benchmarks.Measuring;

namespace FileSync.Edge.Benchmarks.Processes;

/// <summary>A line of a child's stdout or stderr and the Stopwatch timestamp at which it was read.</summary>
internal readonly record struct OutputLine(long Timestamp, string Text);

/// <summary>
/// A child process whose stdout and stderr are always drained (a full pipe would stall it) into one
/// timestamped list of lines that callers can wait on.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<OutputLine> _lines = [];
    private readonly List<(
        Func<string, bool> Match,
        int From,
        TaskCompletionSource<OutputLine> Signal
    )> _waiters = [];
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource _exited = new(
        TaskCreationOptions.RunContinuationsAsynchronously
    );

    private ChildProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    public string Name { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>How many lines have been read so far: pass it to <see cref="WaitForLineAsync"/> to wait for a new one.</summary>
    public int LineCount
    {
        get
        {
            lock (_gate)
            {
                return _lines.Count;
            }
        }
    }

    public static ChildProcess Start(
        string name,
        string fileName,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string?>? environment = null
    )
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        // The agent reads these; a developer's own settings must not leak into a measurement.
        foreach (
            var variable in new[]
            {
                "FILESYNC_SERVER",
                "FILESYNC_API_KEY",
                "FILESYNC_CONFIG",
                "FILESYNC_STATE_DIR",
            }
        )
        {
            info.Environment.Remove(variable);
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            info.Environment[key] = value;
        }
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new ChildProcess(name, process);
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data);
        process.Exited += (_, _) => child.OnExited();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>The first line at index <paramref name="from"/> or later that matches.</summary>
    public Task<OutputLine> WaitForLineAsync(Func<string, bool> match, int from, TimeSpan timeout)
    {
        var signal = new TaskCompletionSource<OutputLine>(
            TaskCreationOptions.RunContinuationsAsynchronously
        );
        lock (_gate)
        {
            for (var i = from; i < _lines.Count; i++)
            {
                if (match(_lines[i].Text))
                {
                    return Task.FromResult(_lines[i]);
                }
            }
            _waiters.Add((match, from, signal));
        }
        return WaitAsync();

        async Task<OutputLine> WaitAsync()
        {
            var completed = await Task.WhenAny(signal.Task, _exited.Task, Task.Delay(timeout))
                .ConfigureAwait(false);
            if (completed == signal.Task)
            {
                return await signal.Task.ConfigureAwait(false);
            }
            // The process may have printed the line just before exiting.
            if (signal.Task.IsCompleted)
            {
                return await signal.Task.ConfigureAwait(false);
            }
            lock (_gate)
            {
                _waiters.RemoveAll(w => w.Signal == signal);
            }
            var why =
                completed == _exited.Task
                    ? $"exited with code {_process.ExitCode}"
                    : $"did not print the expected line within {timeout.TotalSeconds:F0} s";
            throw new BenchmarkException($"{Name} {why}. Last output:\n{Tail(15)}");
        }
    }

    public IReadOnlyList<OutputLine> Lines(int from = 0)
    {
        lock (_gate)
        {
            return _lines.Skip(from).ToList();
        }
    }

    public string Tail(int count)
    {
        lock (_gate)
        {
            return string.Join(
                '\n',
                _lines.Skip(Math.Max(0, _lines.Count - count)).Select(l => "  " + l.Text)
            );
        }
    }

    /// <summary>SIGTERM, then SIGKILL if it has not exited within <paramref name="grace"/>. Returns the exit code.</summary>
    public async Task<int> StopAsync(TimeSpan? grace = null)
    {
        if (!_process.HasExited)
        {
            Native.Kill(_process.Id, Native.SigTerm);
            if (
                await Task.WhenAny(_exited.Task, Task.Delay(grace ?? TimeSpan.FromSeconds(10)))
                    .ConfigureAwait(false) != _exited.Task
            )
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        await _process.WaitForExitAsync().ConfigureAwait(false);
        return _process.ExitCode;
    }

    private void OnLine(string? text)
    {
        if (text is null)
        {
            return;
        }
        var line = new OutputLine(Stopwatch.GetTimestamp(), text);
        lock (_gate)
        {
            _lines.Add(line);
            var index = _lines.Count - 1;
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                var waiter = _waiters[i];
                if (index >= waiter.From && waiter.Match(text))
                {
                    _waiters.RemoveAt(i);
                    waiter.Signal.TrySetResult(line);
                }
            }
        }
    }

    private void OnExited() => _exited.TrySetResult();

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // Never started.
        }
        _process.Dispose();
    }
}

/// <summary>A measurement could not be made (a process failed, the mirror never converged).</summary>
internal sealed class BenchmarkException(string message) : Exception(message);
