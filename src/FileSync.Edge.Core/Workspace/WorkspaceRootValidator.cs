namespace FileSync.Edge.Workspace;

/// <summary>
/// Decides whether a path may be a workspace root: it must be an existing directory, and not a
/// filesystem or drive root, the user's home directory itself or the temp directory itself.
/// </summary>
public static class WorkspaceRootValidator
{
    /// <summary>Returns the normalised root, or null with a one-line reason.</summary>
    public static string? Validate(string? path, out string error)
    {
        error = "";
        if (string.IsNullOrWhiteSpace(path))
        {
            error = "workspace path is empty";
            return null;
        }
        string full;
        try
        {
            full = WorkspacePaths.NormalizeRoot(path);
        }
        catch (Exception ex)
            when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            error = $"workspace path '{path}' is not a valid path: {ex.Message}";
            return null;
        }
        if (File.Exists(full))
        {
            error = $"workspace path '{full}' is a file, not a directory";
            return null;
        }
        if (!Directory.Exists(full))
        {
            error = $"workspace path '{full}' does not exist";
            return null;
        }
        if (
            Path.GetPathRoot(full) is { Length: > 0 } root
            && string.Equals(
                Path.TrimEndingDirectorySeparator(root),
                Path.TrimEndingDirectorySeparator(full),
                PathComparer.Comparison
            )
        )
        {
            error = $"workspace path '{full}' is a filesystem root; choose a project folder";
            return null;
        }
        foreach (var (forbidden, what) in ForbiddenRoots())
        {
            if (string.Equals(full, forbidden, PathComparer.Comparison))
            {
                error =
                    $"workspace path '{full}' is {what} itself; choose a project folder inside it";
                return null;
            }
        }
        return full;
    }

    private static IEnumerable<(string Path, string What)> ForbiddenRoots()
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (!string.IsNullOrEmpty(home))
        {
            yield return (
                Path.TrimEndingDirectorySeparator(Path.GetFullPath(home)),
                "your home directory"
            );
        }
        yield return (
            Path.TrimEndingDirectorySeparator(Path.GetFullPath(Path.GetTempPath())),
            "the temp directory"
        );
        if (!OperatingSystem.IsWindows())
        {
            yield return ("/tmp", "the temp directory");
            yield return ("/var/tmp", "the temp directory");
        }
    }
}
