namespace FileSync.Edge.Local;

/// <summary>One workspace of the agent, as <c>status</c> shows it.</summary>
public sealed record WorkspaceStatusView
{
    public required string Path { get; init; }

    /// <summary>The folder name (the server mirrors the workspace under it).</summary>
    public required string Name { get; init; }

    /// <summary>
    /// <c>watching</c> (in sync), <c>syncing</c>, <c>waiting</c> (for a connection), <c>paused</c>,
    /// <c>refused</c> (over the file limit), <c>missing</c>, <c>rootchanged</c> or <c>stopped</c>.
    /// </summary>
    public required string State { get; init; }

    /// <summary>Sending has stopped (a pause took effect); <see cref="State"/> is <c>paused</c> then.</summary>
    public bool Paused { get; init; }

    /// <summary>A pause is requested and the file under way still goes out; <see cref="State"/> is still the sync's.</summary>
    public bool Pausing { get; init; }

    /// <summary>Given on the agent's command line (not remembered in the config file).</summary>
    public bool CommandLine { get; init; }

    public int Files { get; init; }

    public long Bytes { get; init; }

    /// <summary>Changed paths not sent yet (while paused or disconnected, or in the next batch).</summary>
    public int Pending { get; init; }

    public int Skipped { get; init; }

    public IReadOnlyList<FileProblemView> SkippedFiles { get; init; } = [];

    /// <summary>Files the secret guard withheld, with the rule that matched.</summary>
    public int Withheld { get; init; }

    public IReadOnlyList<FileProblemView> WithheldFiles { get; init; } = [];

    public int Errors { get; init; }

    public IReadOnlyList<FileProblemView> ErrorFiles { get; init; } = [];

    public string? LastError { get; init; }

    /// <summary>Changes of the running full sync sent but not yet confirmed by the server; the sync is done once they are.</summary>
    public int InFlightFiles { get; init; }

    /// <summary>Bytes of ours the network has not taken yet meanwhile.</summary>
    public long InFlightBytes { get; init; }

    /// <summary>How far the running full sync is (null when none runs).</summary>
    public SyncProgressView? Progress { get; init; }

    /// <summary>When something was last sent for this workspace (null: nothing yet in this run).</summary>
    public DateTimeOffset? LastSync { get; init; }
}
