using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;

namespace FileSync.Edge.Tests.Infrastructure;

/// <summary>
/// A real child process with captured stdout/stderr lines, killed (with its tree) on dispose.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly ITestOutputHelper? _output;
    private readonly string _name;

    private ChildProcess(Process process, string name, ITestOutputHelper? output)
    {
        _process = process;
        _name = name;
        _output = output;
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Every line written so far to stdout or stderr.</summary>
    public IReadOnlyCollection<string> Lines => _lines;

    public string Output => string.Join(Environment.NewLine, _lines);

    /// <summary>Starts one of the executables built next to the test assembly (filesync-edge, filesync-server).</summary>
    public static ChildProcess StartBuilt(
        string executable,
        IEnumerable<string> arguments,
        ITestOutputHelper? output = null,
        IDictionary<string, string?>? environment = null,
        bool asUnprivilegedUser = false
    ) =>
        Start(
            BuiltStartInfo(executable, arguments, environment, asUnprivilegedUser),
            executable,
            output
        );

    /// <summary>
    /// Runs a built executable to its end (killed after <paramref name="deadline"/>) with stdout and stderr
    /// captured apart, for tests of what a process writes where.
    /// </summary>
    public static async Task<ProcessOutcome> RunBuiltAsync(
        string executable,
        IEnumerable<string> arguments,
        TimeSpan deadline,
        IDictionary<string, string?>? environment = null,
        bool asUnprivilegedUser = false
    )
    {
        using var process =
            Process.Start(BuiltStartInfo(executable, arguments, environment, asUnprivilegedUser))
            ?? throw new InvalidOperationException($"could not start {executable}");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().OrTimeout(deadline, $"{executable} to exit");
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return new ProcessOutcome(process.ExitCode, await stdout, await stderr);
    }

    private static ProcessStartInfo BuiltStartInfo(
        string executable,
        IEnumerable<string> arguments,
        IDictionary<string, string?>? environment,
        bool asUnprivilegedUser
    )
    {
        var dll = BuiltPath(executable);
        var info = new ProcessStartInfo(asUnprivilegedUser && IsRoot ? "setpriv" : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (asUnprivilegedUser && IsRoot)
        {
            // Root reads everything; permission tests need a real unprivileged process.
            foreach (
                var argument in new[]
                {
                    "--reuid=65534",
                    "--regid=65534",
                    "--clear-groups",
                    "dotnet",
                }
            )
            {
                info.ArgumentList.Add(argument);
            }
            info.Environment["HOME"] = Path.GetTempPath();
            info.Environment["DOTNET_CLI_HOME"] = Path.GetTempPath();
        }
        info.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment.Remove("FILESYNC_SERVER");
        info.Environment.Remove("FILESYNC_API_KEY");
        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                info.Environment[key] = value;
            }
        }
        return info;
    }

    /// <summary>True when the tests run as root (uid 0), where file permissions do not stop reads.</summary>
    public static bool IsRoot => !OperatingSystem.IsWindows() && Environment.UserName == "root";

    /// <summary>The .dll of a built executable in its own output folder (recorded at build time).</summary>
    public static string BuiltPath(string executable)
    {
        var recorded = typeof(ChildProcess)
            .Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(a => a.Key == executable)
            ?.Value;
        var path = recorded is null
            ? Path.Combine(AppContext.BaseDirectory, executable + ".dll")
            : Path.GetFullPath(recorded);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"{executable} is not built at {path}; build the solution first",
                path
            );
        }
        return path;
    }

    public static ChildProcess Start(
        ProcessStartInfo info,
        string name,
        ITestOutputHelper? output = null
    )
    {
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new ChildProcess(process, name, output);
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }
        _lines.Enqueue(line);
        try
        {
            _output?.WriteLine($"[{_name}] {line}");
        }
        catch (InvalidOperationException)
        {
            // The test already finished.
        }
    }

    /// <summary>Waits for a line containing <paramref name="text"/>.</summary>
    public Task WaitForLineAsync(string text, TimeSpan? deadline = null) =>
        Wait.UntilAsync(
            () => _lines.Any(l => l.Contains(text, StringComparison.Ordinal)),
            deadline ?? Wait.Generous,
            () => $"[{_name}] a line containing '{text}'; output so far:\n{Output}"
        );

    public async Task<int> WaitForExitAsync(TimeSpan? deadline = null)
    {
        await _process
            .WaitForExitAsync()
            .OrTimeout(deadline, $"{_name} to exit; output so far:\n{Output}");
        return _process.ExitCode;
    }

    /// <summary>Sends SIGTERM (POSIX) so the process can shut down cleanly.</summary>
    public void Terminate()
    {
        if (OperatingSystem.IsWindows())
        {
            _process.Kill(entireProcessTree: true);
            return;
        }
        _ = SysKill(_process.Id, 15);
    }

    /// <summary>Sends SIGSTOP / SIGCONT (POSIX) to freeze and resume the process.</summary>
    public void Signal(int signal)
    {
        if (Volatile.Read(ref _disposed) == 0 && !_process.HasExited)
        {
            _ = SysKill(_process.Id, signal);
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SysKill(int pid, int signal);

    private int _disposed;

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
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (Exception ex)
            when (ex
                    is InvalidOperationException
                        or TimeoutException
                        or System.ComponentModel.Win32Exception
            )
        {
            // Already gone.
        }
        _process.Dispose();
    }
}
