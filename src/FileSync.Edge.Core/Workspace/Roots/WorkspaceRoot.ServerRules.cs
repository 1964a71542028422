using System.Diagnostics.CodeAnalysis;

namespace FileSync.Edge.Workspace;

/// <summary>
/// The rules for roots the server chooses (the command line is the user's own choice and is not
/// limited by them), applied to the folder with every link resolved: only under a folder the user
/// allowed, never a credential store or a folder holding one (<c>~/.ssh</c>, <c>~/.gnupg</c>,
/// <c>~/.aws</c>, … and <c>/etc</c>), and never a system folder (<c>/proc</c>, <c>/sys</c>, <c>/dev</c>,
/// <c>/run</c>; for a user other than root also <c>/var</c>, <c>/usr</c>, <c>/boot</c>, <c>/root</c>).
/// </summary>
public sealed partial class WorkspaceRoot
{
    /// <summary>Credential stores under the home directory, '/'-separated.</summary>
    private static readonly string[] s_homeCredentialStores =
    [
        ".ssh",
        ".gnupg",
        ".aws",
        ".azure",
        ".kube",
        ".docker",
        ".config/gcloud",
        ".config/gh",
        ".password-store",
        ".local/share/keyrings",
        ".pki",
        "Library/Keychains",
    ];

    /// <summary>
    /// Kernel and device pseudo-filesystems: never a project, and reading them can block (a FIFO, a
    /// terminal) or have side effects. A person may still name one on the command line; the server may not.
    /// </summary>
    private static readonly string[] s_systemFolders = OperatingSystem.IsWindows()
        ? []
        : ["/proc", "/sys", "/dev", "/run"];

    /// <summary>
    /// Checks a root chosen by the server: of an acceptable shape (<see cref="PathShape"/>), passing
    /// <see cref="TryValidate"/> both as given and with every link resolved, outside the system folders,
    /// and (when <paramref name="allowedRoots"/> are given) under one of them and clear of every credential
    /// store. The root is the folder with every link resolved.
    /// </summary>
    public static bool TryForServer(
        string? requested,
        IReadOnlyList<string>? allowedRoots,
        [NotNullWhen(true)] out WorkspaceRoot? root,
        [NotNullWhen(false)] out WorkspaceRootRejection? rejection
    )
    {
        root = null;
        if (PathShape.Check(requested) is { } shapeError)
        {
            return Reject(
                WorkspaceRootProblem.InvalidPath,
                $"workspace path is refused: {shapeError}",
                out rejection
            );
        }
        // The path as given must be allowed (not '/', home, temp; an existing directory) …
        if (!TryValidate(requested, out var given, out rejection))
        {
            return false;
        }
        // … and so must the folder it really is (a link to '/' or to the home directory is refused).
        if (!TryResolveValid(given, out var resolved, out rejection))
        {
            return false;
        }
        if (resolved.SystemFolder() is { } system)
        {
            return Reject(
                WorkspaceRootProblem.SystemFolder,
                $"workspace path '{resolved.Path}' is inside the system folder '{system}'; choose a project folder",
                out rejection
            );
        }
        if (allowedRoots is not null && resolved.CheckServerPolicy(allowedRoots) is { } refusal)
        {
            rejection = refusal;
            return false;
        }
        root = resolved;
        return true;
    }

    /// <summary>
    /// Why this root (links resolved) may never be synced for a server — it is or holds a credential store
    /// or system folder — or null. Applied at start to the workspaces the config file remembers (which the
    /// installer or the server put there).
    /// </summary>
    public WorkspaceRootRejection? CheckForbiddenForServer()
    {
        var realRoot = ResolveRealPath() ?? Path;
        foreach (var folder in ForbiddenFolders())
        {
            if (IsSameOrInside(realRoot, folder))
            {
                return new WorkspaceRootRejection(
                    WorkspaceRootProblem.CredentialStore,
                    $"workspace path '{realRoot}' is inside '{folder}', a credential store or system folder; the server may not sync it"
                );
            }
            if (IsSameOrInside(folder, realRoot) && Exists(folder))
            {
                return new WorkspaceRootRejection(
                    WorkspaceRootProblem.CredentialStore,
                    $"workspace path '{realRoot}' contains '{folder}', a credential store or system folder; the server may not sync it"
                );
            }
        }
        return null;
    }

    /// <summary>The credential stores and system folders of this machine and user, absolute.</summary>
    public static IReadOnlyList<string> ForbiddenFolders()
    {
        var folders = new List<string>();
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (!string.IsNullOrEmpty(home))
        {
            foreach (var store in s_homeCredentialStores)
            {
                folders.Add(
                    System.IO.Path.Join(
                        System.IO.Path.TrimEndingDirectorySeparator(home),
                        store.Replace('/', System.IO.Path.DirectorySeparatorChar)
                    )
                );
            }
        }
        if (!OperatingSystem.IsWindows())
        {
            folders.AddRange([
                "/etc",
                "/proc",
                "/sys",
                "/dev",
                "/run",
                "/private/etc",
                "/Library/Keychains",
            ]);
            if (!IsRunningAsRoot)
            {
                folders.AddRange(["/var", "/usr", "/boot", "/root", "/private/var"]);
            }
        }
        else if (
            Environment.GetFolderPath(Environment.SpecialFolder.Windows) is { Length: > 0 } windows
        )
        {
            folders.Add(windows);
        }
        return folders;
    }

    /// <summary>
    /// True when <paramref name="path"/> is <paramref name="folder"/> or lies under it (both full paths;
    /// either separator counts, so the check errs on the side of "inside").
    /// </summary>
    public static bool IsSameOrInside(string path, string folder)
    {
        path = System.IO.Path.TrimEndingDirectorySeparator(path);
        folder = System.IO.Path.TrimEndingDirectorySeparator(folder);
        if (string.Equals(path, folder, PathComparer.Comparison))
        {
            return true;
        }
        if (folder.Length == 0 || folder == "/")
        {
            return path.StartsWith('/');
        }
        return path.Length > folder.Length
            && path.StartsWith(folder, PathComparer.Comparison)
            && path[folder.Length] is '/' or '\\';
    }

    /// <summary>Why the server may not choose this root (links already resolved), or null when it may.</summary>
    private WorkspaceRootRejection? CheckServerPolicy(IReadOnlyList<string> allowedRoots)
    {
        if (CheckForbiddenForServer() is { } forbidden)
        {
            return forbidden;
        }
        if (!allowedRoots.Any(allowed => IsSameOrInside(Path, allowed)))
        {
            return new WorkspaceRootRejection(
                WorkspaceRootProblem.OutsideAllowedRoots,
                $"workspace path '{Path}' is outside the folders the server may choose ({string.Join(", ", allowedRoots)}); "
                    + "add it on the command line or to Control:AllowedRoots in the config file"
            );
        }
        return null;
    }

    private string? SystemFolder() =>
        s_systemFolders.FirstOrDefault(folder =>
            string.Equals(Path, folder, PathComparer.Comparison)
            || (
                Path.StartsWith(folder, PathComparer.Comparison)
                && Path.Length > folder.Length
                && Path[folder.Length] == '/'
            )
        );

    private static bool IsRunningAsRoot =>
        !OperatingSystem.IsWindows() && Environment.UserName == "root";

    private static bool Exists(string path) => Directory.Exists(path) || File.Exists(path);
}
