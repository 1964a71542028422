using System.Diagnostics;

namespace FileSync.Tray;

/// <summary>Starts the agent (<c>filesync-edge --config &lt;file&gt;</c>) when none runs; it outlives the tray.</summary>
public sealed class AgentLauncher(TrayOptions options)
{
    private static string ExecutableName =>
        OperatingSystem.IsWindows() ? "filesync-edge.exe" : "filesync-edge";

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
        // A .dll (a development build) runs through the dotnet host.
        var isDll = agent.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
        var info = new ProcessStartInfo(isDll ? "dotnet" : agent)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            // The agent is a console program: on Windows it would open a console window of its own.
            CreateNoWindow = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        if (isDll)
        {
            info.ArgumentList.Add(agent);
        }
        info.ArgumentList.Add("--config");
        info.ArgumentList.Add(options.ConfigPath);
        try
        {
            using var process = Process.Start(info);
            process?.StandardInput.Close();
            return process is null ? $"could not start {agent}" : null;
        }
        catch (Exception ex)
            when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return $"could not start {agent}: {ex.Message}";
        }
    }
}
