namespace FileSync.Edge.Local;

/// <summary>
/// One request to a running agent's local control endpoint: one line of JSON,
/// <c>{"v":1,"command":"status"}</c>. See README.md in this folder.
/// </summary>
public sealed record LocalRequest
{
    /// <summary>Protocol version; absent means 1.</summary>
    public int? V { get; init; }

    /// <summary>One of <see cref="LocalCommands"/>.</summary>
    public string? Command { get; init; }

    /// <summary>
    /// The workspace a command is about: an absolute path, a path relative to <see cref="Cwd"/>, or the
    /// folder name of a running workspace. Absent for <c>pause</c>, <c>resume</c> and <c>resync</c>: all of them.
    /// </summary>
    public string? Workspace { get; init; }

    /// <summary>The client's current directory, for a relative <see cref="Workspace"/>.</summary>
    public string? Cwd { get; init; }

    /// <summary><c>logs</c>: keep the connection open and send new lines as they are logged.</summary>
    public bool Follow { get; init; }

    /// <summary><c>logs</c>: only lines after this sequence number (0: all that the ring holds).</summary>
    public long After { get; init; }
}
