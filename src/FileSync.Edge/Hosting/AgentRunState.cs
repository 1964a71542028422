namespace FileSync.Edge.Hosting;

/// <summary>What the running agent was started with and how it ended.</summary>
public sealed class AgentRunState(IReadOnlyList<string> workspaces)
{
    public IReadOnlyList<string> Workspaces { get; } = workspaces;

    /// <summary>Those of <see cref="Workspaces"/> the server chose earlier (remembered in the config), not given on the command line.</summary>
    public IReadOnlyList<string> Remembered { get; init; } = [];

    public int ExitCode { get; set; } = AgentExitCodes.Ok;

    /// <summary>One line for stderr explaining a non-zero exit, or null.</summary>
    public string? ExitMessage { get; set; }
}
