namespace FileSync.Server.Protocol;

/// <summary>
/// Payload of the <c>error</c> the server sends back. A superset of Core's <c>ErrorPayload</c>
/// (<c>message</c>, <c>code</c>) that also says which message and file it is about.
/// </summary>
internal sealed record ErrorReply
{
    public required string Message { get; init; }
    public required string Code { get; init; }

    /// <summary>Type of the message that was rejected, when it could be parsed.</summary>
    public string? MessageType { get; init; }

    /// <summary>The <c>path</c> field of the rejected payload.</summary>
    public string? Path { get; init; }

    /// <summary>The <c>relativePath</c> field of the rejected payload.</summary>
    public string? RelativePath { get; init; }
}
