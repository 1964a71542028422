namespace FileSync.Edge.Workspace;

/// <summary>The files a scan found and the directories it could not read.</summary>
public sealed class ScanResult
{
    public List<ScannedFile> Files { get; } = [];

    /// <summary>Relative directory → error message, for directories that could not be listed.</summary>
    public Dictionary<string, string> UnreadableDirectories { get; } = new(PathComparer.Default);

    /// <summary>Entries whose name is not valid UTF-8, as relative paths with <c>\xNN</c> escapes (a directory ends in '/').</summary>
    public List<string> InvalidNames { get; } = [];

    /// <summary>Ignored files met by a scan asked to collect them.</summary>
    public List<string> IgnoredFiles { get; } = [];

    /// <summary>Ignored folders met (and not entered) by a scan asked to collect them.</summary>
    public List<string> IgnoredDirectories { get; } = [];
}
