namespace FileSync.Edge.Local;

/// <summary>The <c>code</c> of a failed local request.</summary>
public static class LocalErrorCodes
{
    /// <summary>The line is not a JSON object of the request's shape.</summary>
    public const string MalformedRequest = "malformed_request";

    /// <summary>The line is longer than <see cref="LocalProtocol.MaxRequestBytes"/>; the connection is closed.</summary>
    public const string RequestTooLarge = "request_too_large";

    /// <summary>The request's <c>v</c> is not <see cref="LocalProtocol.Version"/>.</summary>
    public const string UnsupportedVersion = "unsupported_version";

    public const string UnknownCommand = "unknown_command";

    /// <summary>The command needs a workspace and got none, or one that is not running.</summary>
    public const string UnknownWorkspace = "unknown_workspace";

    /// <summary><c>add</c>: the folder may not be a workspace (the same root rules as for the server's choice).</summary>
    public const string ForbiddenPath = "forbidden_path";

    /// <summary>Too many connections at once.</summary>
    public const string Busy = "busy";

    public const string InternalError = "internal_error";

    /// <summary>Not sent by the agent: what <c>filesync-edge status --json</c> prints when no agent runs.</summary>
    public const string NoAgent = "no_agent";
}
