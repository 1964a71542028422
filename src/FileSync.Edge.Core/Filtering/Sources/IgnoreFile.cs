namespace FileSync.Edge.Filtering.Sources;

/// <summary>Reads one gitignore-syntax file of a source.</summary>
internal static class IgnoreFile
{
    /// <summary>
    /// The patterns of the file at <paramref name="filePath"/>. A missing or unreadable file counts
    /// as empty, and so does a symbolic link unless <paramref name="followSymlinks"/> (git does not
    /// follow them for ignore files inside the working tree).
    /// </summary>
    public static IgnorePattern[] Read(string filePath, bool followSymlinks) =>
        TryReadBytes(filePath, followSymlinks) is { } content
            ? IgnoreRuleSet.ParsePatterns(content)
            : [];

    private static byte[]? TryReadBytes(string filePath, bool followSymlinks)
    {
        try
        {
            var info = new FileInfo(filePath);
            if (
                !info.Exists
                || (!followSymlinks && info.Attributes.HasFlag(FileAttributes.ReparsePoint))
            )
            {
                return null;
            }

            return File.ReadAllBytes(filePath);
        }
        catch (Exception ex)
            when (ex
                    is IOException
                        or UnauthorizedAccessException
                        or NotSupportedException
                        or ArgumentException
            )
        {
            return null;
        }
    }
}
