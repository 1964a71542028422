namespace FileSync.Edge.Local;

/// <summary>What the local commands report about the agent that the engine does not know (set by the host, not by configuration).</summary>
public sealed class LocalCommandOptions
{
    /// <summary>The config file the agent runs with, shown by <c>status</c>; null when unknown.</summary>
    public string? ConfigPath { get; set; }
}
