using System.Text.Json;

namespace FileSync.Edge.Configuration;

/// <summary>
/// The agent's JSON config file: <c>$XDG_CONFIG_HOME/filesync-edge/config.json</c> (Linux),
/// <c>~/Library/Application Support/filesync-edge/config.json</c> (macOS), <c>%APPDATA%\filesync-edge\config.json</c>
/// (Windows), or the path in <c>FILESYNC_CONFIG</c> / <c>--config</c>. It uses the same keys as the
/// configuration sections (<c>Uplink</c>, <c>Sync</c>) plus <c>Workspaces</c>.
/// </summary>
public static class AgentConfigFile
{
    public const string EnvironmentVariable = "FILESYNC_CONFIG";

    public static string DefaultPath()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return Path.GetFullPath(fromEnvironment);
        }
        var baseDirectory = Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData, Environment.SpecialFolderOption.DoNotVerify);
        if (string.IsNullOrEmpty(baseDirectory))
        {
            baseDirectory = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
        }
        return Path.Combine(baseDirectory, "filesync-edge", "config.json");
    }

    /// <summary>Reads the workspace list of the file; empty when the file or key is missing.</summary>
    public static IReadOnlyList<string> ReadWorkspaces(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }
        using var stream = File.OpenRead(path);
        using var document = JsonDocument.Parse(stream, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (property.NameEquals("Workspaces") || property.Name.Equals("workspaces", StringComparison.OrdinalIgnoreCase))
            {
                return property.Value.ValueKind == JsonValueKind.Array
                    ? [.. property.Value.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!)]
                    : [];
            }
        }
        return [];
    }
}
