using System.CommandLine;
using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Cli;

/// <summary>The <c>filesync-edge</c> command line (DESIGN §4) and its mapping to configuration keys.</summary>
public sealed class AgentCommandLine
{
    public Argument<string[]> Workspaces { get; } =
        new("workspace")
        {
            Arity = ArgumentArity.ZeroOrMore,
            Description = "Workspace folders to sync (one or more).",
        };

    public Option<string?> Server { get; } =
        new("--server")
        {
            Description =
                "Server URL: ws://127.0.0.1:8765/ws/v1/edge, or https://host for wss://host/ws/v1/edge (env FILESYNC_SERVER).",
        };

    public Option<string?> ApiKey { get; } =
        new("--api-key")
        {
            Description =
                "API key, sent as the WebSocket subprotocol and as a Bearer token (env FILESYNC_API_KEY). Prefer --api-key-file.",
        };

    public Option<string?> ApiKeyTransport { get; } = CreateApiKeyTransport();

    private static Option<string?> CreateApiKeyTransport()
    {
        var option = new Option<string?>("--api-key-transport")
        {
            Description =
                "How the key travels: both (default), header (Authorization: Bearer) or subprotocol.",
        };
        option.AcceptOnlyFromAmong("both", "header", "subprotocol");
        return option;
    }

    public Option<string?> Proxy { get; } =
        new("--proxy")
        {
            Description =
                "HTTP proxy to connect through: http://[user:password@]host:port (config Uplink:Proxy; default: HTTPS_PROXY for wss://, HTTP_PROXY for ws://, ALL_PROXY; NO_PROXY or Uplink:NoProxy exempts hosts).",
            HelpName = "url",
        };

    public Option<FileInfo?> ApiKeyFile { get; } =
        new("--api-key-file") { Description = "Read the API key from this file." };

    public Option<int?> MaxFiles { get; } =
        new("--max-files")
        {
            Description = "Refuse a workspace with more files than this (default 2000).",
        };

    public Option<long?> MaxFileBytes { get; } =
        new("--max-file-bytes")
        {
            Description = "Skip files larger than this many bytes (default 102400).",
        };

    public Option<int?> BatchMs { get; } =
        new("--batch-ms")
        {
            Description = "Batch interval in milliseconds while changes continue (default 500).",
        };

    public Option<int?> SettleMs { get; } =
        new("--settle-ms")
        {
            Description =
                "Delay before sending the first change after a quiet period (default 10).",
        };

    public Option<int?> RescanMinutes { get; } =
        new("--rescan-minutes")
        {
            Description = "Full reconciliation rescan period in minutes, 0 = off (default 10).",
        };

    public Option<LogLevel?> LogLevel { get; } =
        new("--log-level")
        {
            Description =
                "Trace, Debug, Information, Warning, Error, Critical or None (default Information).",
        };

    public Option<string?> Name { get; } =
        new("--name", "--fingerprint")
        {
            Description =
                "This agent's identity towards the server (config Uplink:Fingerprint). Default: derived from the machine, the OS user and the config file.",
            HelpName = "identity",
        };

    public Option<FileInfo?> ConfigFile { get; } =
        new("--config")
        {
            Description =
                "Config file (default: the user's config dir, or env FILESYNC_CONFIG). The local commands (status, …) find the agent running with the same config file.",
            Recursive = true,
        };

    /// <summary>
    /// Why a local command (<c>status</c>, …) cannot be combined with what else was given — the agent's
    /// workspaces or options — or null. <c>filesync-edge work status</c> is refused rather than read as
    /// "sync ./work and ./status": a folder named like a command is written as a path, <c>./status</c>.
    /// </summary>
    public string? MisusedWithSubcommand(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        if (command is RootCommand)
        {
            return null;
        }
        if (parse.GetValue(Workspaces) is { Length: > 0 } folders)
        {
            return $"'{command.Name}' is a command and takes no workspace list before it (got '{folders[0]}'); to sync a folder named '{command.Name}', write it as a path: ./{command.Name}";
        }
        foreach (
            var option in new Option[]
            {
                Server,
                ApiKey,
                ApiKeyFile,
                ApiKeyTransport,
                Proxy,
                MaxFiles,
                MaxFileBytes,
                BatchMs,
                SettleMs,
                RescanMinutes,
                LogLevel,
                Name,
            }
        )
        {
            if (parse.GetResult(option) is { Implicit: false })
            {
                return $"'{option.Name}' is an option of the agent, not of '{command.Name}'";
            }
        }
        return null;
    }

    public RootCommand CreateRootCommand()
    {
        var root = new RootCommand(
            "FileSync.Edge: mirrors workspace folders to a FileSync server over one WebSocket."
        )
        {
            Workspaces,
            Server,
            ApiKey,
            ApiKeyFile,
            ApiKeyTransport,
            Proxy,
            MaxFiles,
            MaxFileBytes,
            BatchMs,
            SettleMs,
            RescanMinutes,
            LogLevel,
            Name,
            ConfigFile,
        };
        return root;
    }

    /// <summary>What <paramref name="result"/> gave the agent.</summary>
    public AgentArguments ReadArguments(ParseResult result) =>
        new()
        {
            Workspaces = result.GetValue(Workspaces) ?? [],
            ApiKeyFile = result.GetValue(ApiKeyFile)?.FullName,
            Name = result.GetValue(Name),
            ConfigFile = result.GetValue(ConfigFile)?.FullName,
            LogLevel = result.GetValue(LogLevel),
            Configuration = ToConfiguration(result),
        };

    /// <summary>Configuration keys set on the command line; they override the environment and the config file.</summary>
    private Dictionary<string, string?> ToConfiguration(ParseResult result)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        Set("Uplink:Server", result.GetValue(Server));
        Set("Uplink:ApiKey", result.GetValue(ApiKey));
        Set("Uplink:Fingerprint", result.GetValue(Name));
        Set("Uplink:ApiKeyTransport", result.GetValue(ApiKeyTransport));
        Set("Uplink:Proxy", result.GetValue(Proxy));
        Set(
            "Sync:MaxFiles",
            result.GetValue(MaxFiles)?.ToString(System.Globalization.CultureInfo.InvariantCulture)
        );
        Set(
            "Sync:MaxFileBytes",
            result
                .GetValue(MaxFileBytes)
                ?.ToString(System.Globalization.CultureInfo.InvariantCulture)
        );
        Set(
            "Sync:BatchMilliseconds",
            result.GetValue(BatchMs)?.ToString(System.Globalization.CultureInfo.InvariantCulture)
        );
        Set(
            "Sync:SettleMilliseconds",
            result.GetValue(SettleMs)?.ToString(System.Globalization.CultureInfo.InvariantCulture)
        );
        Set(
            "Sync:RescanMinutes",
            result
                .GetValue(RescanMinutes)
                ?.ToString(System.Globalization.CultureInfo.InvariantCulture)
        );
        return values;

        void Set(string key, string? value)
        {
            if (value is not null)
            {
                values[key] = value;
            }
        }
    }
}
