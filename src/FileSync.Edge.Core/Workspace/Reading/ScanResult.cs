namespace FileSync.Edge.Workspace;

/// <summary>The files a scan found and the directories it could not read.</summary>
public sealed class ScanResult
{
    public List<ScannedFile> Files { get; } = [];

    /// <summary>Relative directory → error message, for directories that could not be listed.</summary>
    public Dictionary<string, string> UnreadableDirectories { get; } = new(PathComparer.WireNames);

    /// <summary>Entries whose name is not valid UTF-8, as relative paths with <c>\xNN</c> escapes (a directory ends in '/').</summary>
    public List<string> InvalidNames { get; } = [];

    /// <summary>
    /// Entries left out because another entry of their folder has the same wire name (NFC and NFD
    /// spellings of one name), with their combining marks escaped (see <see cref="DiskNames.Describe"/>).
    /// </summary>
    public List<string> NameConflicts { get; } = [];

    /// <summary>Ignored files met by a scan asked to collect them.</summary>
    public List<string> IgnoredFiles { get; } = [];

    /// <summary>Ignored folders met (and not entered) by a scan asked to collect them.</summary>
    public List<string> IgnoredDirectories { get; } = [];
}
