namespace FileSync.Edge.Local;

/// <summary>
/// The answer to a <see cref="LocalRequest"/>: one line of JSON. <c>{"v":1,"ok":true,...}</c>, or
/// <c>{"v":1,"ok":false,"error":"one line","code":"..."}</c> with a code of <see cref="LocalErrorCodes"/>.
/// </summary>
public sealed record LocalResponse
{
    public int V { get; init; } = LocalProtocol.Version;

    public bool Ok { get; init; }

    /// <summary>One line saying what went wrong (when not <see cref="Ok"/>).</summary>
    public string? Error { get; init; }

    /// <summary>A stable code (when not <see cref="Ok"/>): see <see cref="LocalErrorCodes"/>.</summary>
    public string? Code { get; init; }

    /// <summary>One line saying what was done (pause, resume, resync, add, remove, stop).</summary>
    public string? Message { get; init; }

    /// <summary>The workspaces a command acted on (absolute paths).</summary>
    public IReadOnlyList<string>? Workspaces { get; init; }

    /// <summary>The answer to <c>status</c> (and to <c>ping</c>).</summary>
    public AgentStatusView? Status { get; init; }

    /// <summary>The answer to <c>logs</c>: recent lines, oldest first.</summary>
    public IReadOnlyList<LogLineView>? Lines { get; init; }

    public static LocalResponse Failure(string code, string error) =>
        new()
        {
            Ok = false,
            Code = code,
            Error = error,
        };
}
