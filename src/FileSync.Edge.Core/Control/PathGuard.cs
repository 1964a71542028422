using FileSync.Edge.Workspace;
using FileSync.Protocol;

namespace FileSync.Edge.Control;

/// <summary>
/// Checks every file path the server sends before anything is opened (<see cref="Resolve"/>): it must
/// be of an acceptable shape (<see cref="PathShape"/>), absolute, normalise to a location inside an
/// active workspace, pass through no symbolic link (or other reparse point) from the workspace root
/// down, exist, and not be excluded by the workspace's ignore rules. Workspace roots the server
/// chooses are checked by <see cref="WorkspaceRoot.TryForServer"/>. Nothing here opens a file; it only
/// reads file attributes.
/// </summary>
public static class PathGuard
{
    /// <summary>
    /// The outcome of <see cref="Resolve"/>: the workspace and the '/'-separated relative path of a
    /// file that may be opened, or an <see cref="Error"/> with its protocol <see cref="Code"/>.
    /// </summary>
    public readonly record struct Resolution(
        IWorkspace? Workspace,
        string RelativePath,
        string? Error,
        string? Code
    )
    {
        public bool IsAllowed => Workspace is not null;
    }

    /// <summary>Checks a file path sent by the server against the active <paramref name="workspaces"/>.</summary>
    /// <param name="allowRoot">A workspace root itself resolves too (relative path "", for a folder listing).</param>
    public static Resolution Resolve(
        IReadOnlyList<IWorkspace> workspaces,
        string? requested,
        bool allowRoot = false
    )
    {
        if (PathShape.Check(requested) is { } shapeError)
        {
            return Refuse(shapeError, ErrorCodes.ForbiddenPath);
        }
        string full;
        try
        {
            full = Path.GetFullPath(requested!);
        }
        catch (Exception ex)
            when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return Refuse("path is not valid", ErrorCodes.ForbiddenPath);
        }
        var asRoot = WorkspaceRoot.From(full);
        foreach (var workspace in workspaces)
        {
            if (asRoot.IsRootOf(workspace))
            {
                return allowRoot
                    ? new Resolution(workspace, "", null, null)
                    : Refuse("path is a workspace folder, not a file", ErrorCodes.NotFound);
            }
            var relative = WorkspacePaths.ToRelativePath(workspace.RootPath, full);
            if (relative is null)
            {
                continue;
            }
            // Walk from the root down: stop at the first missing component (nothing to open, and the
            // ignore rules are only consulted for directories that exist) or link.
            var prefixEnd = -1;
            do
            {
                prefixEnd = relative.IndexOf('/', prefixEnd + 1);
                var prefix = prefixEnd < 0 ? relative : relative[..prefixEnd];
                var attributes = AttributesOf(DiskNames.Find(workspace.RootPath, prefix));
                if (attributes is null)
                {
                    return Refuse("file not found", ErrorCodes.NotFound);
                }
                if ((attributes.Value & FileAttributes.ReparsePoint) != 0)
                {
                    return Refuse("path goes through a symbolic link", ErrorCodes.ForbiddenPath);
                }
                if (prefixEnd >= 0 && (attributes.Value & FileAttributes.Directory) == 0)
                {
                    return Refuse("file not found", ErrorCodes.NotFound);
                }
            } while (prefixEnd >= 0);
            if (workspace.IsExcluded(relative))
            {
                return Refuse(
                    "path is excluded by the workspace's ignore rules",
                    ErrorCodes.ForbiddenPath
                );
            }
            return new Resolution(workspace, relative, null, null);
        }
        return Refuse("path is outside every active workspace", ErrorCodes.ForbiddenPath);
    }

    /// <summary>The attributes of <paramref name="path"/> itself (a link is not followed); null when it does not exist.</summary>
    private static FileAttributes? AttributesOf(string path)
    {
        try
        {
            var attributes = new FileInfo(path).Attributes;
            return (int)attributes == -1 ? null : attributes;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static Resolution Refuse(string reason, string code) => new(null, "", reason, code);
}
