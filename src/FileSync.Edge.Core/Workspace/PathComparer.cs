namespace FileSync.Edge.Workspace;

/// <summary>How relative paths compare on this platform: case-insensitive on Windows and macOS.</summary>
public static class PathComparer
{
    public static bool IgnoreCase { get; } =
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS();

    public static StringComparer Default { get; } =
        IgnoreCase ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;

    public static StringComparison Comparison { get; } =
        IgnoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
}
