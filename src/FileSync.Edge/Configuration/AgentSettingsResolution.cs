namespace FileSync.Edge.Configuration;

/// <summary>
/// What <see cref="AgentSettingsResolver"/> made of the agent's start: the settings, or the one problem
/// that stops it; and, either way, the problems it goes on despite.
/// </summary>
public sealed record AgentSettingsResolution
{
    /// <summary>The settings to run with; null when <see cref="Error"/> says why not.</summary>
    public AgentSettings? Settings { get; init; }

    /// <summary>Why the agent cannot start (bad arguments, exit code 2), one line; null when it can.</summary>
    public string? Error { get; init; }

    /// <summary>Problems the agent starts despite (a remembered workspace that is gone), one line each.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}
