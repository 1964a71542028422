using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Cli;

/// <summary>What the agent's command line gave (<see cref="AgentCommandLine.ReadArguments"/>), before anything is checked or read.</summary>
public sealed record AgentArguments
{
    /// <summary>The workspace folders, as typed.</summary>
    public IReadOnlyList<string> Workspaces { get; init; } = [];

    /// <summary><c>--api-key-file</c>, a full path.</summary>
    public string? ApiKeyFile { get; init; }

    /// <summary><c>--name</c> (<c>--fingerprint</c>): the identity towards the server.</summary>
    public string? Name { get; init; }

    /// <summary><c>--config</c>, a full path.</summary>
    public string? ConfigFile { get; init; }

    /// <summary><c>--log-level</c>.</summary>
    public LogLevel? LogLevel { get; init; }

    /// <summary>
    /// The configuration keys the options set (<c>Uplink:Server</c>, <c>Sync:MaxFiles</c>, …): they
    /// override the environment and the config file.
    /// </summary>
    public IReadOnlyDictionary<string, string?> Configuration { get; init; } =
        new Dictionary<string, string?>();
}
