namespace FileSync.Edge.Workspace;

/// <summary>
/// How paths compare on this platform: case-insensitive on Windows and macOS. This is how the disk
/// compares names (workspace roots, ignore rules with git's <c>core.ignorecase</c>, whether a spelling
/// is on disk — see <see cref="DiskNames"/>). Relative paths as the wire carries them compare exactly
/// (<see cref="WireNames"/>): a case-only rename is a new name on the wire.
/// </summary>
public static class PathComparer
{
    /// <summary>
    /// Set to <c>1</c>, this environment variable makes Linux compare like Windows and macOS (tests of
    /// the case-insensitive code paths on a Linux machine; read once at start).
    /// </summary>
    public const string IgnoreCaseVariable = "FILESYNC_PATHS_IGNORE_CASE";

    public static bool IgnoreCase { get; } =
        OperatingSystem.IsWindows()
        || OperatingSystem.IsMacOS()
        || Environment.GetEnvironmentVariable(IgnoreCaseVariable) == "1";

    public static StringComparer Default { get; } =
        IgnoreCase ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;

    public static StringComparison Comparison { get; } =
        IgnoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    /// <summary>
    /// Workspace-relative paths as sent on the wire (NFC, exact case): the keys of the index, the dirty
    /// set and what the server holds. Two spellings are two names; <see cref="DiskNames"/> decides
    /// which one the disk holds.
    /// </summary>
    public static StringComparer WireNames => StringComparer.Ordinal;

    /// <summary>The string comparison of <see cref="WireNames"/>.</summary>
    public const StringComparison WireComparison = StringComparison.Ordinal;
}
