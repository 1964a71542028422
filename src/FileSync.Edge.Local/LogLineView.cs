namespace FileSync.Edge.Local;

/// <summary>One line of the agent's log ring.</summary>
public sealed record LogLineView
{
    /// <summary>Grows by one per line logged; <c>logs</c> with <c>after</c> continues from it.</summary>
    public long Seq { get; init; }

    public DateTimeOffset Time { get; init; }

    /// <summary><c>trace</c>, <c>debug</c>, <c>info</c>, <c>warn</c>, <c>error</c> or <c>crit</c>.</summary>
    public required string Level { get; init; }

    public required string Category { get; init; }

    public required string Message { get; init; }

    /// <summary>The event's name (e.g. <c>ConnectionLost</c>), when it has one.</summary>
    public string? EventName { get; init; }
}
