using System.Diagnostics.CodeAnalysis;

namespace FileSync.Edge.Workspace;

/// <summary>
/// The rules for every workspace root: an existing directory, not a filesystem or drive root, not the
/// user's home directory itself nor the temp directory itself; a root the user gives must also not be a
/// link to such a folder.
/// </summary>
public sealed partial class WorkspaceRoot
{
    /// <summary>
    /// Checks <paramref name="path"/> as given (no links resolved): an existing directory, not a
    /// filesystem root, the home directory or the temp directory.
    /// </summary>
    public static bool TryValidate(
        string? path,
        [NotNullWhen(true)] out WorkspaceRoot? root,
        [NotNullWhen(false)] out WorkspaceRootRejection? rejection
    )
    {
        root = null;
        if (string.IsNullOrWhiteSpace(path))
        {
            return Reject(
                WorkspaceRootProblem.InvalidPath,
                "workspace path is empty",
                out rejection
            );
        }
        string full;
        try
        {
            full = Normalize(path);
        }
        catch (Exception ex)
            when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return Reject(
                WorkspaceRootProblem.InvalidPath,
                $"workspace path '{path}' is not a valid path: {ex.Message}",
                out rejection
            );
        }
        if (File.Exists(full))
        {
            return Reject(
                WorkspaceRootProblem.NotADirectory,
                $"workspace path '{full}' is a file, not a directory",
                out rejection
            );
        }
        if (!Directory.Exists(full))
        {
            return Reject(
                WorkspaceRootProblem.NotFound,
                $"workspace path '{full}' does not exist",
                out rejection
            );
        }
        if (
            System.IO.Path.GetPathRoot(full) is { Length: > 0 } fileSystemRoot
            && SamePath(fileSystemRoot, full)
        )
        {
            return Reject(
                WorkspaceRootProblem.FilesystemRoot,
                $"workspace path '{full}' is a filesystem root; choose a project folder",
                out rejection
            );
        }
        foreach (var (forbidden, what) in HomeAndTemp())
        {
            if (string.Equals(full, forbidden, PathComparer.Comparison))
            {
                return Reject(
                    WorkspaceRootProblem.HomeOrTempItself,
                    $"workspace path '{full}' is {what} itself; choose a project folder inside it",
                    out rejection
                );
            }
        }
        root = new WorkspaceRoot(full);
        rejection = null;
        return true;
    }

    /// <summary>
    /// Checks a root the local user gave (command line, config file): the path as given and the folder it
    /// really is, through any links, must both pass <see cref="TryValidate"/> (a link to '/' or to the
    /// home directory is refused). The root is the path as given, normalised.
    /// </summary>
    public static bool TryForUser(
        string? path,
        [NotNullWhen(true)] out WorkspaceRoot? root,
        [NotNullWhen(false)] out WorkspaceRootRejection? rejection
    )
    {
        if (!TryValidate(path, out root, out rejection))
        {
            return false;
        }
        var given = root;
        root = null;
        if (!TryResolveValid(given, out _, out rejection))
        {
            return false;
        }
        root = given;
        return true;
    }

    /// <summary>
    /// The folder a valid root really is, with every link resolved; it must pass
    /// <see cref="TryValidate"/> too (a link to '/' or to the home directory is refused).
    /// </summary>
    private static bool TryResolveValid(
        WorkspaceRoot given,
        [NotNullWhen(true)] out WorkspaceRoot? resolved,
        [NotNullWhen(false)] out WorkspaceRootRejection? rejection
    )
    {
        resolved = null;
        var real = LinkResolver.Resolve(given.Path, out var linkError);
        if (real is null)
        {
            return Reject(
                WorkspaceRootProblem.Unresolvable,
                $"workspace path '{given.Path}' cannot be resolved: {linkError}",
                out rejection
            );
        }
        if (TryValidate(real, out resolved, out rejection))
        {
            return true;
        }
        if (!string.Equals(real, given.Path, PathComparer.Comparison))
        {
            rejection = rejection with
            {
                Message = $"workspace path '{given.Path}' is a link: {rejection.Message}",
            };
        }
        return false;
    }

    private static IEnumerable<(string Path, string What)> HomeAndTemp()
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (!string.IsNullOrEmpty(home))
        {
            yield return (Normalize(home), "your home directory");
        }
        yield return (Normalize(System.IO.Path.GetTempPath()), "the temp directory");
        if (!OperatingSystem.IsWindows())
        {
            yield return ("/tmp", "the temp directory");
            yield return ("/var/tmp", "the temp directory");
        }
    }

    private static bool Reject(
        WorkspaceRootProblem problem,
        string message,
        out WorkspaceRootRejection rejection
    )
    {
        rejection = new WorkspaceRootRejection(problem, message);
        return false;
    }
}
