using FileSync.Edge.Filtering;
using FileSync.Edge.Workspace;

namespace FileSync.Edge.Control;

/// <summary>
/// Checks a path sent by the server before anything is opened: it must be absolute, normalise to a
/// location inside an active workspace, pass through no symlink, and not be excluded by ignore rules.
/// Device paths, UNC paths and NUL characters are refused outright.
/// </summary>
public static class PathGuard
{
    public readonly record struct Resolution(WorkspaceSyncManager? Workspace, string RelativePath, string? Error);

    public static Resolution Resolve(IReadOnlyList<WorkspaceSyncManager> workspaces, string? requested)
    {
        if (string.IsNullOrWhiteSpace(requested))
        {
            return Refuse("path is missing");
        }
        if (requested.Contains('\0', StringComparison.Ordinal) || requested.Length > 4096)
        {
            return Refuse("path contains invalid characters");
        }
        if (requested.StartsWith(@"\\", StringComparison.Ordinal) || requested.StartsWith("//", StringComparison.Ordinal))
        {
            return Refuse("UNC and device paths are not allowed");
        }
        if (!Path.IsPathFullyQualified(requested))
        {
            return Refuse("path must be absolute");
        }
        string full;
        try
        {
            full = Path.GetFullPath(requested);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return Refuse("path is not valid");
        }
        foreach (var workspace in workspaces)
        {
            var relative = WorkspacePaths.ToRelativePath(workspace.RootPath, full);
            if (relative is null)
            {
                continue;
            }
            if (HasLinkOnTheWay(workspace.RootPath, relative))
            {
                return Refuse("path goes through a symbolic link");
            }
            if (workspace.IsExcluded(relative))
            {
                return Refuse("path is excluded by the workspace's ignore rules");
            }
            return new Resolution(workspace, relative, null);
        }
        return Refuse("path is outside every active workspace");
    }

    private static Resolution Refuse(string reason) => new(null, "", reason);

    /// <summary>True when any existing component from the root down to the path itself is a symlink.</summary>
    private static bool HasLinkOnTheWay(string root, string relative)
    {
        var current = relative;
        while (current.Length > 0)
        {
            FileSystemInfo info = new FileInfo(WorkspacePaths.ToFullPath(root, current));
            if (!info.Exists)
            {
                info = new DirectoryInfo(info.FullName);
            }
            if (info.Exists && (info.LinkTarget is not null || (info.Attributes & FileAttributes.ReparsePoint) != 0))
            {
                return true;
            }
            current = WorkspacePaths.Parent(current);
        }
        return false;
    }
}
