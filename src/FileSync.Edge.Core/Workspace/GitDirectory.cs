namespace FileSync.Edge.Workspace;

/// <summary>The workspace's <c>.git</c> folder: never synced, watched or listed.</summary>
internal static class GitDirectory
{
    /// <summary>True for <c>.git</c> itself and anything under it (a relative path).</summary>
    public static bool Contains(string relativePath) =>
        relativePath.StartsWith(".git", StringComparison.Ordinal)
        && (relativePath.Length == 4 || relativePath[4] == '/');
}
