using System.Diagnostics;
using Xunit.Abstractions;

namespace FileSync.Testing;

/// <summary>
/// A real child process whose stdout and stderr are always drained (a full pipe would stall it) into one
/// timestamped list of lines that callers can wait on, echoed to the test output when there is one.
/// Disposing kills it, with its tree, if it still runs.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private static readonly TimeSpan s_defaultStopGrace = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan s_killTimeout = Wait.Generous;

    private readonly Process _process;
    private readonly ITestOutputHelper? _output;
    private readonly List<OutputLine> _lines = [];
    private readonly List<(
        Func<string, bool> Match,
        int From,
        TaskCompletionSource<OutputLine> Signal
    )> _waiters = [];
    private readonly Lock _gate = new();
    private Task? _drained;
    private int _disposed;

    private ChildProcess(Process process, string name, ITestOutputHelper? output)
    {
        _process = process;
        Name = name;
        _output = output;
    }

    public string Name { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>How many lines have been read so far: pass it to <see cref="WaitForLineAsync(Func{string, bool}, int, TimeSpan?)"/> to wait for a new one.</summary>
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

    /// <summary>The text of every line written so far to stdout or stderr.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_gate)
            {
                return [.. _lines.Select(l => l.Text)];
            }
        }
    }

    /// <summary>Every line so far, joined.</summary>
    public string Output => string.Join(Environment.NewLine, Lines);

    /// <summary>The lines from index <paramref name="from"/> on, with their stream and timestamp.</summary>
    public IReadOnlyList<OutputLine> LinesFrom(int from = 0)
    {
        lock (_gate)
        {
            return [.. _lines.Skip(from)];
        }
    }

    /// <summary>The last <paramref name="count"/> lines, indented, for an error message.</summary>
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

    /// <summary>Starts one of the executables the solution builds (see <see cref="BuiltExecutable"/>).</summary>
    public static ChildProcess StartBuilt(
        string executable,
        IEnumerable<string> arguments,
        ITestOutputHelper? output = null,
        IEnumerable<KeyValuePair<string, string?>>? environment = null,
        bool asUnprivilegedUser = false
    ) =>
        Start(
            BuiltExecutable.StartInfo(executable, arguments, environment, asUnprivilegedUser),
            executable,
            output
        );

    /// <summary>
    /// Starts <paramref name="fileName"/> (a published binary, a peer tool) with FILESYNC_* settings of the
    /// caller's environment removed and <paramref name="environment"/> applied.
    /// </summary>
    public static ChildProcess Start(
        string name,
        string fileName,
        IEnumerable<string> arguments,
        IEnumerable<KeyValuePair<string, string?>>? environment = null,
        ITestOutputHelper? output = null
    )
    {
        var info = BuiltExecutable.RedirectedStartInfo(fileName);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        BuiltExecutable.Apply(info, environment);
        return Start(info, name, output);
    }

    /// <summary>Starts <paramref name="info"/> as it is; stdout and stderr must be redirected.</summary>
    public static ChildProcess Start(
        ProcessStartInfo info,
        string name,
        ITestOutputHelper? output = null
    )
    {
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new ChildProcess(process, name, output);
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data, fromStderr: false);
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data, fromStderr: true);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>
    /// Runs a built executable to its end (killed after <paramref name="deadline"/>) with stdout and stderr
    /// captured apart, for tests of what a process writes where.
    /// </summary>
    public static Task<ProcessOutcome> RunBuiltAsync(
        string executable,
        IEnumerable<string> arguments,
        TimeSpan deadline,
        IEnumerable<KeyValuePair<string, string?>>? environment = null,
        bool asUnprivilegedUser = false
    ) =>
        RunAsync(
            BuiltExecutable.StartInfo(executable, arguments, environment, asUnprivilegedUser),
            deadline
        );

    /// <summary>Runs <paramref name="info"/> (streams redirected) to its end, killed after <paramref name="deadline"/>.</summary>
    public static async Task<ProcessOutcome> RunAsync(ProcessStartInfo info, TimeSpan deadline)
    {
        using var process =
            Process.Start(info)
            ?? throw new InvalidOperationException($"could not start {info.FileName}");
        if (info.RedirectStandardInput)
        {
            process.StandardInput.Close();
        }
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process
                .WaitForExitAsync()
                .OrTimeout(deadline, $"{Path.GetFileName(info.FileName)} to exit");
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return new ProcessOutcome(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Waits (default <see cref="Wait.Generous"/>) for a line containing <paramref name="text"/>.</summary>
    public Task<OutputLine> WaitForLineAsync(string text, TimeSpan? deadline = null) =>
        WaitForLineAsync(
            l => l.Contains(text, StringComparison.Ordinal),
            0,
            deadline,
            $"a line containing '{text}'"
        );

    /// <summary>
    /// The first line at index <paramref name="from"/> or later that matches. Fails as soon as the process
    /// has exited without printing it, or when <paramref name="deadline"/> (default <see cref="Wait.Generous"/>) passes.
    /// </summary>
    public Task<OutputLine> WaitForLineAsync(
        Func<string, bool> match,
        int from = 0,
        TimeSpan? deadline = null,
        string? what = null
    )
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
            var limit = deadline ?? Wait.Generous;
            var exited = WhenDrainedAsync();
            using var timeout = new CancellationTokenSource();
            var deadlinePassed = Debugger.IsAttached
                ? Task.Delay(Timeout.Infinite, timeout.Token)
                : Task.Delay(limit, timeout.Token);
            var completed = await Task.WhenAny(signal.Task, exited, deadlinePassed)
                .ConfigureAwait(false);
            await timeout.CancelAsync().ConfigureAwait(false);
            // After the exit, every line has been read: a line printed just before it has matched.
            if (completed == signal.Task || signal.Task.IsCompleted)
            {
                return await signal.Task.ConfigureAwait(false);
            }
            lock (_gate)
            {
                _waiters.RemoveAll(w => w.Signal == signal);
            }
            var why =
                completed == exited
                    ? $"exited with code {_process.ExitCode}"
                    : $"did not print it within {limit.TotalSeconds:F0} s";
            throw new ChildProcessException(
                $"[{Name}] waiting for {what ?? "a matching line"}: {why}. Last output:\n{Tail(30)}"
            );
        }
    }

    /// <summary>Waits (default <see cref="Wait.Generous"/>) for the process to exit and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan? deadline = null)
    {
        await WhenDrainedAsync()
            .OrTimeout(deadline, $"{Name} to exit; output so far:\n{Output}")
            .ConfigureAwait(false);
        return _process.ExitCode;
    }

    /// <summary>Sends SIGTERM (POSIX; kills on Windows) so the process can shut down cleanly.</summary>
    public void Terminate()
    {
        if (OperatingSystem.IsWindows())
        {
            _process.Kill(entireProcessTree: true);
            return;
        }
        Signal(Libc.SigTerm);
    }

    /// <summary>Sends a POSIX signal (e.g. <see cref="Libc.SigStop"/> / <see cref="Libc.SigCont"/>) while the process runs.</summary>
    public void Signal(int signal)
    {
        if (Volatile.Read(ref _disposed) == 0 && !_process.HasExited)
        {
            _ = Libc.Kill(_process.Id, signal);
        }
    }

    /// <summary>SIGTERM, then a kill if it has not exited within <paramref name="grace"/> (default 10 s). Returns the exit code.</summary>
    public async Task<int> StopAsync(TimeSpan? grace = null)
    {
        if (!_process.HasExited)
        {
            Terminate();
            var exited = WhenDrainedAsync();
            if (
                await Task.WhenAny(exited, Task.Delay(grace ?? s_defaultStopGrace))
                    .ConfigureAwait(false) != exited
            )
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        await WhenDrainedAsync().ConfigureAwait(false);
        return _process.ExitCode;
    }

    /// <summary>The exit, after stdout and stderr have been read to their end.</summary>
    private Task WhenDrainedAsync()
    {
        lock (_gate)
        {
            return _drained ??= _process.WaitForExitAsync();
        }
    }

    private void OnLine(string? text, bool fromStderr)
    {
        if (text is null)
        {
            return;
        }
        var line = new OutputLine(Stopwatch.GetTimestamp(), text, fromStderr);
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
        try
        {
            _output?.WriteLine($"[{Name}] {text}");
        }
        catch (InvalidOperationException)
        {
            // The test already finished.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(s_killTimeout).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
            when (ex
                    is InvalidOperationException
                        or TimeoutException
                        or System.ComponentModel.Win32Exception
            )
        {
            // Never started, or already gone.
        }
        _process.Dispose();
    }
}
