namespace FileSync.Edge.Filtering;

public sealed class WorkspaceIgnoreFilter(string rootPath, bool? ignoreCase = null)
{
    public string Root { get; } = rootPath;
    public bool IgnoreCase { get; } = ignoreCase ?? false;
    public bool IsIgnored(string relativePath, bool isDirectory) => relativePath.StartsWith(".git", StringComparison.Ordinal) || relativePath.StartsWith("node_modules", StringComparison.Ordinal);
    public bool IsIgnoredEntry(string relativePath, bool isDirectory) => IsIgnored(relativePath, isDirectory);
    public void Invalidate() { }
    public static bool IsIgnoreFileName(string fileName) => fileName is ".gitignore" or ".aishignore";
}
