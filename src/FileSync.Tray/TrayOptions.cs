namespace FileSync.Tray;

/// <summary>The command line of <c>filesync-tray</c>.</summary>
public sealed record TrayOptions
{
    /// <summary>The agent's config file (absolute); the tray finds the agent running with it.</summary>
    public required string ConfigPath { get; init; }

    /// <summary>The agent executable (<c>--agent</c>), or null: <c>filesync-edge</c> next to the tray, else on PATH.</summary>
    public string? AgentPath { get; init; }

    /// <summary>Do not start the agent when none runs (<c>--no-start</c>).</summary>
    public bool NoStart { get; init; }

    /// <summary>How often the agent's status is read.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(2);

    public const string Usage = """
        usage: filesync-tray [--config <file>] [--agent <path>] [--no-start] [--interval-ms <n>]

        Shows the FileSync agent of this user and config file in the notification area (Linux:
        StatusNotifierItem over D-Bus; Windows: notification area), and starts the agent when none runs.

          --config <file>     the agent's config file (default: FILESYNC_CONFIG, else the user's config dir)
          --agent <path>      the agent executable (default: filesync-edge next to filesync-tray, else on PATH)
          --no-start          do not start the agent when none runs
          --interval-ms <n>   how often to read the agent's status (default 2000)

        Exit codes: 0 quit from the menu, Ctrl+C, or a tray for this config already runs, 1 no notification area to show the icon in, 2 bad arguments.
        """;

    /// <summary>Parses <paramref name="args"/>; null with a one-line <paramref name="error"/> when they are bad.</summary>
    public static TrayOptions? Parse(string[] args, out string error, out bool help)
    {
        error = "";
        help = false;
        string? config = null;
        string? agent = null;
        var noStart = false;
        var interval = TimeSpan.FromSeconds(2);
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            switch (arg)
            {
                case "-h" or "--help":
                    help = true;
                    return null;
                case "--no-start":
                    noStart = true;
                    break;
                case "--config" or "--agent" or "--interval-ms":
                    if (i + 1 >= args.Length || args[i + 1].Length == 0)
                    {
                        error = $"{arg} needs a value";
                        return null;
                    }
                    var value = args[++i];
                    if (arg == "--config")
                    {
                        config = value;
                    }
                    else if (arg == "--agent")
                    {
                        agent = value;
                    }
                    else if (
                        !int.TryParse(
                            value,
                            System.Globalization.NumberStyles.None,
                            System.Globalization.CultureInfo.InvariantCulture,
                            out var ms
                        ) || ms is < 100 or > 600_000
                    )
                    {
                        error = "--interval-ms must be a number from 100 to 600000";
                        return null;
                    }
                    else
                    {
                        interval = TimeSpan.FromMilliseconds(ms);
                    }
                    break;
                default:
                    error = $"unknown argument '{arg}'";
                    return null;
            }
        }
        return new TrayOptions
        {
            ConfigPath = FileSync.Edge.Local.AgentConfigLocation.Resolve(config),
            AgentPath = agent is null ? null : Path.GetFullPath(agent),
            NoStart = noStart,
            Interval = interval,
        };
    }
}
