using FileSync.Edge.Local;

namespace FileSync.Tray;

/// <summary>
/// Where an agent started by the tray writes its output: the agent's log file, not the tray's stdout.
/// Linux: <c>$XDG_STATE_HOME/filesync-edge/filesync-edge.log</c> (FILESYNC_STATE_DIR, as for the saved
/// index, relocates it); Windows: <c>%LOCALAPPDATA%\FileSync.Edge\logs\filesync-edge.log</c> (the installer's
/// launcher writes there too); macOS: <c>~/Library/Logs/filesync-edge.log</c>.
/// </summary>
public static class AgentLogFile
{
    /// <summary>Above this size the log is moved to <c>filesync-edge.1.log</c> before an agent is started.</summary>
    public const long MaxBytes = 10_000_000;

    public static string PathForThisUser()
    {
        if (OperatingSystem.IsWindows())
        {
            return System.IO.Path.Combine(
                Environment.GetFolderPath(
                    Environment.SpecialFolder.LocalApplicationData,
                    Environment.SpecialFolderOption.DoNotVerify
                ),
                "FileSync.Edge",
                "logs",
                "filesync-edge.log"
            );
        }
        if (OperatingSystem.IsMacOS())
        {
            return System.IO.Path.Combine(
                Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
                "Library",
                "Logs",
                "filesync-edge.log"
            );
        }
        return System.IO.Path.Combine(AgentStateLocation.DefaultDirectory(), "filesync-edge.log");
    }

    /// <summary>Creates the log's folder and moves a log over <see cref="MaxBytes"/> aside (one older copy is kept).</summary>
    public static void Prepare(string path)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        var file = new FileInfo(path);
        if (file.Exists && file.Length > MaxBytes)
        {
            File.Move(path, System.IO.Path.ChangeExtension(path, ".1.log"), overwrite: true);
        }
    }
}
