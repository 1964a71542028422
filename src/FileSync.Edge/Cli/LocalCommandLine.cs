using System.CommandLine;
using FileSync.Edge.Configuration;
using FileSync.Edge.Local;

namespace FileSync.Edge.Cli;

/// <summary>
/// The commands that talk to the running agent of this user and config file: <c>status [--json]</c>,
/// <c>pause [WS]</c>, <c>resume [WS]</c>, <c>resync [WS]</c>, <c>add WS</c>, <c>remove WS</c>,
/// <c>logs [-f]</c>, <c>stop</c>. A folder literally named like one of them is a workspace when written
/// as a path (<c>./status</c>).
/// </summary>
public sealed class LocalCommandLine
{
    public Option<bool> Json { get; } =
        new("--json") { Description = "Print the agent's answer as JSON (one object)." };

    public Option<bool> Follow { get; } =
        new("--follow", "-f") { Description = "Keep printing new lines until Ctrl+C." };

    public Option<int?> Lines { get; } =
        new("--lines", "-n")
        {
            Description = "Print only the last N lines (default: all the agent keeps, up to 1000).",
        };

    /// <summary>The name of the workspace argument of the commands that take one.</summary>
    public const string WorkspaceArgument = "workspace";

    private static Argument<string> NewWorkspace(bool required) =>
        new(WorkspaceArgument)
        {
            Arity = required ? ArgumentArity.ExactlyOne : ArgumentArity.ZeroOrOne,
            Description = required
                ? "The workspace folder (a path, or the folder name of a running workspace)."
                : "The workspace (a path, or the folder name of a running workspace); default: all.",
        };

    /// <summary>The command names, which a workspace argument of the agent must not be written as.</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        LocalCommands.Status,
        LocalCommands.Pause,
        LocalCommands.Resume,
        LocalCommands.Resync,
        LocalCommands.Add,
        LocalCommands.Remove,
        LocalCommands.Logs,
        LocalCommands.Stop,
    ];

    /// <summary>Adds the subcommands to <paramref name="root"/>, each running a <see cref="LocalCommandRunner"/>.</summary>
    public void AddTo(
        RootCommand root,
        Option<FileInfo?> configFile,
        TextWriter error,
        Action<int> setExitCode,
        CancellationToken cancellationToken
    )
    {
        foreach (var command in CreateCommands())
        {
            command.SetAction(
                async (result, token) =>
                {
                    using var linked = CancellationTokenSource.CreateLinkedTokenSource(
                        token,
                        cancellationToken
                    );
                    var runner = new LocalCommandRunner(
                        this,
                        AgentConfigFile.DefaultPath(result.GetValue(configFile)),
                        Console.Out,
                        error,
                        TimeProvider.System
                    );
                    var exitCode = await runner
                        .RunAsync(result, linked.Token)
                        .ConfigureAwait(false);
                    setExitCode(exitCode);
                    return exitCode;
                }
            );
            root.Subcommands.Add(command);
        }
    }

    /// <summary>Creates the subcommands (without actions).</summary>
    public IReadOnlyList<Command> CreateCommands() =>
        [
            new Command(
                LocalCommands.Status,
                "Show the running agent's connection and workspaces. Exit 0: connected and clean, 1: needs attention, 5: no agent running."
            )
            {
                Json,
            },
            new Command(
                LocalCommands.Pause,
                "Stop sending changes (they keep being tracked) for a workspace, or all."
            )
            {
                NewWorkspace(required: false),
            },
            new Command(LocalCommands.Resume, "Send what changed while paused, and go on syncing.")
            {
                NewWorkspace(required: false),
            },
            new Command(
                LocalCommands.Resync,
                "Re-converge the server with a workspace (or all) now."
            )
            {
                NewWorkspace(required: false),
            },
            new Command(
                LocalCommands.Add,
                "Start syncing a folder (the same root rules as for the server's choice); remembered in the config file."
            )
            {
                NewWorkspace(required: true),
            },
            new Command(
                LocalCommands.Remove,
                "Stop syncing a workspace and forget it in the config file."
            )
            {
                NewWorkspace(required: true),
            },
            new Command(LocalCommands.Logs, "Print the agent's recent log lines.")
            {
                Follow,
                Lines,
            },
            new Command(
                LocalCommands.Stop,
                "Stop the running agent (a service manager may restart it)."
            ),
        ];
}
