namespace FileSync.Edge.Local;

/// <summary>
/// Where the agent keeps its state: the saved workspace indexes and, on Linux, the log file of an agent
/// the tray started. The agent and the tray share this rule (the tray references no engine).
/// </summary>
public static class AgentStateLocation
{
    /// <summary>Relocates the state directory.</summary>
    public const string EnvironmentVariable = "FILESYNC_STATE_DIR";

    /// <summary>
    /// <c>FILESYNC_STATE_DIR</c> when set, else the platform's per-user state folder:
    /// <c>$XDG_STATE_HOME/filesync-edge</c> (default <c>~/.local/state/filesync-edge</c>) on Linux,
    /// <c>filesync-edge/state</c> under the local application data folder on Windows and macOS.
    /// </summary>
    public static string DefaultDirectory()
    {
        if (
            Environment.GetEnvironmentVariable(EnvironmentVariable) is
            { Length: > 0 } fromEnvironment
        )
        {
            return Path.GetFullPath(fromEnvironment);
        }
        if (OperatingSystem.IsWindows() || OperatingSystem.IsMacOS())
        {
            return Path.Combine(
                Environment.GetFolderPath(
                    Environment.SpecialFolder.LocalApplicationData,
                    Environment.SpecialFolderOption.DoNotVerify
                ),
                "filesync-edge",
                "state"
            );
        }
        var xdg = Environment.GetEnvironmentVariable("XDG_STATE_HOME");
        var baseDirectory = string.IsNullOrEmpty(xdg)
            ? Path.Combine(
                Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
                ".local",
                "state"
            )
            : xdg;
        return Path.Combine(baseDirectory, "filesync-edge");
    }
}
