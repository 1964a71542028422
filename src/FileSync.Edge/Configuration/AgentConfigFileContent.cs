namespace FileSync.Edge.Configuration;

/// <summary>The agent's config file as read and checked at start-up (<see cref="AgentConfigFileReader"/>).</summary>
/// <param name="Path">The full path of the file.</param>
/// <param name="Json">The file's bytes (UTF-8 JSON, no byte order mark); null when the file does not exist.</param>
/// <param name="Workspaces">
/// The <c>Workspaces</c> list: null when the file or the key is missing (the server never chose), otherwise
/// its entries (possibly none).
/// </param>
public sealed record AgentConfigFileContent(
    string Path,
    ReadOnlyMemory<byte>? Json,
    IReadOnlyList<string>? Workspaces
)
{
    /// <summary>Keys nothing reads (typos, keys of another version), as <c>Section:Key</c>: each gets a warning.</summary>
    public IReadOnlyList<string> UnknownKeys { get; init; } = [];

    /// <summary>True when the file does not exist (yet): the defaults apply.</summary>
    public bool IsMissing => Json is null;
}
