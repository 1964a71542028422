namespace FileSync.Edge.Workspace;

/// <summary>Conversions between workspace-relative ('/'-separated) paths and full OS paths.</summary>
public static class WorkspacePaths
{
    /// <summary>The full OS path of <paramref name="relativePath"/> under <paramref name="rootPath"/>.</summary>
    public static string ToFullPath(string rootPath, string relativePath) =>
        relativePath.Length == 0
            ? rootPath
            : Path.Join(
                rootPath,
                Path.DirectorySeparatorChar == '/'
                    ? relativePath
                    : relativePath.Replace('/', Path.DirectorySeparatorChar)
            );

    /// <summary>
    /// The relative path of <paramref name="fullPath"/> under <paramref name="rootPath"/>, '/'-separated;
    /// null when it is the root itself or outside it.
    /// </summary>
    public static string? ToRelativePath(string rootPath, string fullPath)
    {
        if (
            fullPath.Length <= rootPath.Length
            || !fullPath.StartsWith(rootPath, PathComparer.Comparison)
        )
        {
            return null;
        }
        var separator = fullPath[rootPath.Length];
        var start = rootPath.Length;
        if (!Path.EndsInDirectorySeparator(rootPath))
        {
            if (
                separator != Path.DirectorySeparatorChar
                && separator != Path.AltDirectorySeparatorChar
            )
            {
                return null;
            }
            start++;
        }
        var relative = fullPath[start..]
            .TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
        if (relative.Length == 0)
        {
            return null;
        }
        return Path.DirectorySeparatorChar == '/'
            ? relative
            : relative.Replace(Path.DirectorySeparatorChar, '/');
    }

    /// <summary>The last segment of a relative path.</summary>
    public static string FileName(string relativePath)
    {
        var slash = relativePath.LastIndexOf('/');
        return slash < 0 ? relativePath : relativePath[(slash + 1)..];
    }

    /// <summary>The parent directory of a relative path ('' for a top-level entry).</summary>
    public static string Parent(string relativePath)
    {
        var slash = relativePath.LastIndexOf('/');
        return slash < 0 ? "" : relativePath[..slash];
    }
}
