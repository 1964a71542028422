namespace FileSync.Edge.Local;

/// <summary>The agent's connection to its server.</summary>
public sealed record ConnectionStatusView
{
    /// <summary>The server URL (without the query the agent adds).</summary>
    public required string Server { get; init; }

    /// <summary><c>connected</c>, <c>connecting</c>, <c>reconnecting</c>, <c>disconnected</c> or <c>stopped</c>.</summary>
    public required string State { get; init; }

    /// <summary>Since when the connection is in this state (connected or not).</summary>
    public DateTimeOffset Since { get; init; }

    /// <summary>The id the server gave this edge (while connected).</summary>
    public string? EdgeId { get; init; }

    /// <summary>The last problem of the connection (a lost connection, a refused connect), or null.</summary>
    public string? LastError { get; init; }

    public DateTimeOffset? LastErrorAt { get; init; }

    /// <summary>
    /// When the next connect starts, while the agent waits out a backoff (state <c>reconnecting</c>);
    /// null otherwise. Absolute: whoever shows it computes what is left then, so it never goes stale.
    /// </summary>
    public DateTimeOffset? NextAttemptAt { get; init; }
}
