namespace FileSync.Edge.Local;

/// <summary>The answer to <c>status</c>: the agent, its connection and its workspaces.</summary>
public sealed record AgentStatusView
{
    public required string Version { get; init; }

    public int Pid { get; init; }

    /// <summary>The config file the agent runs with (it names the endpoint).</summary>
    public string? ConfigPath { get; init; }

    public DateTimeOffset StartedAt { get; init; }

    public required ConnectionStatusView Connection { get; init; }

    public required IReadOnlyList<WorkspaceStatusView> Workspaces { get; init; }

    /// <summary>
    /// Why a person should look (empty: connected and clean): not connected, a workspace paused, refused,
    /// missing or stopped, or files that failed. <c>filesync-edge status</c> exits 1 when not empty.
    /// </summary>
    public IReadOnlyList<string> Attention { get; init; } = [];
}
