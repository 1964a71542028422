namespace FileSync.Edge.Benchmarks.Processes;

/// <summary>How to start the agent: everything not set here is the agent's own default.</summary>
internal sealed record AgentSettings(
    int? BatchMs = null,
    int? SettleMs = null,
    int? MaxFiles = null,
    bool? Compression = null
)
{
    public static readonly AgentSettings Defaults = new();

    public IEnumerable<string> Arguments()
    {
        if (BatchMs is { } batch)
        {
            yield return "--batch-ms";
            yield return batch.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        if (SettleMs is { } settle)
        {
            yield return "--settle-ms";
            yield return settle.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        if (MaxFiles is { } maxFiles)
        {
            yield return "--max-files";
            yield return maxFiles.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    /// <summary>The config file's content for the settings that have no command-line flag, or null.</summary>
    public string? ConfigFile() =>
        Compression is { } compression
            ? "{\"Uplink\": {\"Compression\": " + (compression ? "true" : "false") + "}}"
            : null;

    public override string ToString()
    {
        var text = string.Join(' ', Arguments().Concat(ConfigFile() is { } c ? [c] : []));
        return text.Length == 0 ? "defaults" : text;
    }
}

/// <summary>Starts a real <c>filesync-edge</c> process on one workspace.</summary>
internal static class AgentProcess
{
    /// <param name="serverUrl">The server's edge URL (or a relay's in front of it).</param>
    /// <param name="stateDirectory">FILESYNC_STATE_DIR: where the persisted index lives (reuse it to measure a restart).</param>
    /// <param name="logLevel">Null for the agent's default (Information).</param>
    public static ChildProcess Start(
        string executable,
        string workspace,
        string serverUrl,
        string stateDirectory,
        AgentSettings settings,
        string? logLevel = null
    )
    {
        Directory.CreateDirectory(stateDirectory);
        // A config path that does not exist (no user config file can change the measurement), or one
        // written here for the settings that have no flag.
        var config = Path.Join(stateDirectory, "no-config.json");
        if (settings.ConfigFile() is { } content)
        {
            config = Path.Join(stateDirectory, "config.json");
            File.WriteAllText(config, content);
        }
        var arguments = new List<string> { workspace, "--server", serverUrl, "--config", config };
        arguments.AddRange(settings.Arguments());
        if (logLevel is not null)
        {
            arguments.AddRange(["--log-level", logLevel]);
        }
        return ChildProcess.Start(
            "filesync-edge",
            executable,
            arguments,
            new Dictionary<string, string?> { ["FILESYNC_STATE_DIR"] = stateDirectory }
        );
    }

    public static ChildProcess Start(
        string executable,
        string workspace,
        ServerProcess server,
        string stateDirectory,
        AgentSettings settings,
        string? logLevel = null
    ) => Start(executable, workspace, server.EdgeUrl, stateDirectory, settings, logLevel);
}
