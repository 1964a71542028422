using System.Diagnostics;
using FileSync.Edge.Local;

namespace FileSync.Tray;

/// <summary>What the menu opens on the desktop: a folder, or a text file with the status or the log.</summary>
public sealed class DesktopActions(TrayOptions options, AgentLauncher launcher, TextWriter log)
{
    /// <summary>Opens <paramref name="path"/> in the file manager (xdg-open, explorer, open).</summary>
    public void OpenFolder(string path) => Open(path);

    /// <summary>Opens <paramref name="path"/> (the agent's log) with the desktop's viewer for it.</summary>
    public void OpenFile(string path) => Open(path);

    /// <summary>
    /// Runs <c>filesync-edge ARGS --config &lt;file&gt;</c> and opens what it printed as a text file in the
    /// user's runtime folder (0700), so "Show status" and "Open log" show exactly what the CLI prints.
    /// </summary>
    public async Task ShowCommandOutputAsync(
        string command,
        string fileName,
        CancellationToken cancellationToken
    )
    {
        var agent = launcher.FindAgent();
        if (agent is null)
        {
            await log.WriteLineAsync("filesync-tray: cannot show it: filesync-edge not found")
                .ConfigureAwait(false);
            return;
        }
        var isDll = agent.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
        var info = new ProcessStartInfo(isDll ? "dotnet" : agent)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // The agent writes UTF-8 everywhere (see Utf8Output), whatever the code page here.
            StandardOutputEncoding = Utf8Output.Encoding,
            StandardErrorEncoding = Utf8Output.Encoding,
            CreateNoWindow = true,
        };
        if (isDll)
        {
            info.ArgumentList.Add(agent);
        }
        info.ArgumentList.Add(command);
        info.ArgumentList.Add("--config");
        info.ArgumentList.Add(options.ConfigPath);
        string text;
        try
        {
            using var process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            text = await stdout.ConfigureAwait(false) + await stderr.ConfigureAwait(false);
        }
        catch (Exception ex)
            when (ex
                    is System.ComponentModel.Win32Exception
                        or IOException
                        or InvalidOperationException
            )
        {
            text = $"could not run {agent} {command}: {ex.Message}";
        }
        var folder = OperatingSystem.IsWindows()
            ? Path.Combine(Path.GetTempPath(), "filesync-edge")
            : LocalEndpointAddress.For(options.ConfigPath).Directory!;
        try
        {
            Directory.CreateDirectory(folder);
            var file = Path.Combine(folder, fileName);
            await File.WriteAllTextAsync(file, text, Utf8Output.Encoding, cancellationToken)
                .ConfigureAwait(false);
            Open(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await log.WriteLineAsync($"filesync-tray: cannot write {fileName}: {ex.Message}")
                .ConfigureAwait(false);
        }
    }

    private void Open(string path)
    {
        var opener =
            OperatingSystem.IsWindows() ? "explorer.exe"
            : OperatingSystem.IsMacOS() ? "open"
            : "xdg-open";
        try
        {
            var info = new ProcessStartInfo(opener) { UseShellExecute = false };
            info.ArgumentList.Add(path);
            using var process = Process.Start(info);
        }
        catch (Exception ex)
            when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            log.WriteLine($"filesync-tray: cannot open {path} ({opener}: {ex.Message})");
        }
    }
}
