using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Configuration;

/// <summary>
/// Everything the agent runs with, resolved from its arguments, its environment and its config file by
/// <see cref="AgentSettingsResolver"/> and checked: the host only builds from it.
/// </summary>
/// <param name="ConfigFile">The config file as read (its path names the agent: one agent per config file).</param>
/// <param name="Overrides">
/// Configuration keys that override the config file: the environment's (<c>FILESYNC_SERVER</c>,
/// <c>FILESYNC_API_KEY</c>), then the command line's (the key of <c>--api-key-file</c> included).
/// </param>
/// <param name="Workspaces">The workspaces to start: the remembered ones, then those given now, each folder once.</param>
/// <param name="RememberedWorkspaces">Those of <paramref name="Workspaces"/> only the config file names (the server chose them).</param>
/// <param name="CommandLineWorkspaces">The workspaces given on the command line (normalised).</param>
/// <param name="LogLevel">The least level logged.</param>
public sealed record AgentSettings(
    AgentConfigFileContent ConfigFile,
    IReadOnlyDictionary<string, string?> Overrides,
    IReadOnlyList<string> Workspaces,
    IReadOnlyList<string> RememberedWorkspaces,
    IReadOnlyList<string> CommandLineWorkspaces,
    LogLevel LogLevel
)
{
    /// <summary>The config file's full path.</summary>
    public string ConfigPath => ConfigFile.Path;

    /// <summary>Adds the config file's values, then <see cref="Overrides"/> (the later wins), to <paramref name="configuration"/>.</summary>
    public void AddTo(IConfigurationBuilder configuration)
    {
        if (ConfigFile.Json is { } json)
        {
            // The bytes checked at start, not a second read of a file that may have changed since.
            configuration.AddJsonStream(new MemoryStream(json.ToArray(), writable: false));
        }
        configuration.AddInMemoryCollection(Overrides);
    }
}
