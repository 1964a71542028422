using System.Diagnostics;

namespace FileSync.Tray;

/// <summary>
/// Starts the agent (<c>filesync-edge --config &lt;file&gt;</c>) when none runs, for users without a service
/// that keeps it running; it outlives the tray. Its output goes to <see cref="LogPath"/>, not the tray's.
/// </summary>
public sealed class AgentLauncher(TrayOptions options, string logPath)
{
    private static string ExecutableName =>
        OperatingSystem.IsWindows() ? "filesync-edge.exe" : "filesync-edge";

    private Process? _started;

    /// <summary>The file an agent started here writes its log to.</summary>
    public string LogPath => logPath;

    /// <summary>The exit code of the agent this tray started last, once it has exited; else null.</summary>
    public int? ExitCode
    {
        get
        {
            var process = Volatile.Read(ref _started);
            try
            {
                return process is { HasExited: true } ? process.ExitCode : null;
            }
            catch (InvalidOperationException)
            {
                return null;
            }
        }
    }

    /// <summary>
    /// Gives the agent this tray started, whose endpoint has gone, up to <paramref name="grace"/> to be
    /// seen exited: its exit is reaped asynchronously, and until then it would read as "stopped" with
    /// no exit code. Returns at once when no such agent runs.
    /// </summary>
    public async Task SettleExitAsync(
        TimeSpan grace,
        TimeProvider time,
        CancellationToken cancellationToken
    )
    {
        var process = Volatile.Read(ref _started);
        try
        {
            if (process is null || process.HasExited)
            {
                return;
            }
        }
        catch (InvalidOperationException)
        {
            return;
        }
        using var timeout = new CancellationTokenSource(grace, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(
            cancellationToken,
            timeout.Token
        );
        try
        {
            await process.WaitForExitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Still running (it may only be slow to answer): reported without an exit code.
        }
    }

    /// <summary>The agent to start: <c>--agent</c>, else next to the tray, else the first on PATH; null when none is found.</summary>
    public string? FindAgent()
    {
        if (options.AgentPath is { } given)
        {
            return File.Exists(given) ? given : null;
        }
        var beside = Path.Combine(AppContext.BaseDirectory, ExecutableName);
        if (File.Exists(beside))
        {
            return beside;
        }
        foreach (
            var folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(
                Path.PathSeparator
            )
        )
        {
            if (
                folder.Length > 0
                && Path.Combine(folder, ExecutableName) is var candidate
                && File.Exists(candidate)
            )
            {
                return candidate;
            }
        }
        return null;
    }

    /// <summary>Starts the agent; null on success, else a one-line reason.</summary>
    public string? Start()
    {
        var agent = FindAgent();
        if (agent is null)
        {
            return options.AgentPath is { } given
                ? $"the agent '{given}' does not exist"
                : $"{ExecutableName} is neither next to filesync-tray nor on PATH";
        }
        try
        {
            AgentLogFile.Prepare(logPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"cannot write the agent's log {logPath}: {ex.Message}";
        }
        var info = StartInfo(agent);
        try
        {
            var process = Process.Start(info);
            if (process is null)
            {
                return $"could not start {agent}";
            }
            process.StandardInput.Close();
            Interlocked.Exchange(ref _started, process)?.Dispose();
            return null;
        }
        catch (Exception ex)
            when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return $"could not start {agent}: {ex.Message}";
        }
    }

    /// <summary>
    /// The agent's command line behind a shell that appends its stdout and stderr to the log: <c>/bin/sh</c>
    /// execs the agent (so the process is the agent), <c>cmd.exe</c> waits for it on Windows. A .dll (a
    /// development build) runs through the dotnet host.
    /// </summary>
    private ProcessStartInfo StartInfo(string agent)
    {
        var isDll = agent.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
        var command = new List<string>();
        if (isDll)
        {
            command.Add("dotnet");
        }
        command.AddRange([agent, "--config", options.ConfigPath]);
        ProcessStartInfo info;
        if (OperatingSystem.IsWindows())
        {
            info = new ProcessStartInfo("cmd.exe")
            {
                // cmd's own quoting: the whole line in one pair of quotes (/s), each part quoted.
                Arguments =
                    $"/d /s /c \"{string.Join(' ', command.Select(c => $"\"{c}\""))} >>\"{logPath}\" 2>&1\"",
            };
        }
        else
        {
            info = new ProcessStartInfo("/bin/sh");
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add("exec \"$0\" \"$@\" >>\"$FILESYNC_TRAY_AGENT_LOG\" 2>&1");
            foreach (var part in command)
            {
                info.ArgumentList.Add(part);
            }
            info.Environment["FILESYNC_TRAY_AGENT_LOG"] = logPath;
        }
        info.UseShellExecute = false;
        info.RedirectStandardInput = true;
        // The agent is a console program: on Windows it would open a console window of its own.
        info.CreateNoWindow = true;
        info.WorkingDirectory = Path.GetTempPath();
        return info;
    }
}
