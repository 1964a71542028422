namespace FileSync.Edge.Local;

/// <summary>
/// Where the agent's config file is. The CLI commands and the tray find a running agent through the
/// config file it runs with (<see cref="LocalEndpointAddress.For"/>), so they share this rule.
/// </summary>
public static class AgentConfigLocation
{
    /// <summary>Relocates the config file (DESIGN §4).</summary>
    public const string EnvironmentVariable = "FILESYNC_CONFIG";

    /// <summary><c>--config</c> when given, else <c>FILESYNC_CONFIG</c>, else <see cref="PlatformDefaultPath"/>; absolute.</summary>
    public static string Resolve(string? given) =>
        Resolve(given, Environment.GetEnvironmentVariable);

    /// <summary>As <see cref="Resolve(string?)"/>, with the environment variables read through <paramref name="environment"/>.</summary>
    public static string Resolve(string? given, Func<string, string?> environment)
    {
        if (!string.IsNullOrWhiteSpace(given))
        {
            return Path.GetFullPath(given);
        }
        var fromEnvironment = environment(EnvironmentVariable);
        return !string.IsNullOrWhiteSpace(fromEnvironment)
            ? Path.GetFullPath(fromEnvironment)
            : PlatformDefaultPath();
    }

    /// <summary>The user's config dir: <c>~/.config/filesync-edge/config.json</c> on Linux, the platform's equivalent elsewhere.</summary>
    public static string PlatformDefaultPath()
    {
        var baseDirectory = Environment.GetFolderPath(
            Environment.SpecialFolder.ApplicationData,
            Environment.SpecialFolderOption.DoNotVerify
        );
        if (string.IsNullOrEmpty(baseDirectory))
        {
            baseDirectory = Path.Combine(
                Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
                ".config"
            );
        }
        return Path.Combine(baseDirectory, "filesync-edge", "config.json");
    }
}
