namespace FileSync.Edge.Hosting;

/// <summary>What the running agent was started with and how it ended.</summary>
public sealed class AgentRunState(IReadOnlyList<string> workspaces)
{
    public IReadOnlyList<string> Workspaces { get; } = workspaces;

    public int ExitCode { get; set; } = AgentExitCodes.Ok;

    /// <summary>One line for stderr explaining a non-zero exit, or null.</summary>
    public string? ExitMessage { get; set; }
}
