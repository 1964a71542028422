using FileSync.Edge.Workspace;

namespace FileSync.Edge.Control;

/// <summary>
/// Which folders a server may make into workspaces: only under a folder the user allowed
/// (<see cref="ControlOptions.AllowedRoots"/>), never a credential store or a folder holding one
/// (<c>~/.ssh</c>, <c>~/.gnupg</c>, <c>~/.aws</c>, … and <c>/etc</c>), and never a system folder
/// (<c>/proc</c>, <c>/sys</c>, <c>/dev</c>, <c>/run</c>; for a user other than root also <c>/var</c>,
/// <c>/usr</c>, <c>/boot</c>, <c>/root</c>). Applies to the folder with every link resolved; the
/// command line is the user's own choice and is not limited by it.
/// </summary>
public static class ServerRootPolicy
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
                    Path.Join(
                        Path.TrimEndingDirectorySeparator(home),
                        store.Replace('/', Path.DirectorySeparatorChar)
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
            if (!IsRoot)
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

    private static bool IsRoot => !OperatingSystem.IsWindows() && Environment.UserName == "root";

    /// <summary>Why the server may not choose <paramref name="realRoot"/> (links resolved), or null when it may.</summary>
    public static string? Check(string realRoot, IReadOnlyList<string> allowedRoots)
    {
        if (CheckForbidden(realRoot) is { } forbidden)
        {
            return forbidden;
        }
        if (!allowedRoots.Any(allowed => IsSameOrInside(realRoot, allowed)))
        {
            return $"workspace path '{realRoot}' is outside the folders the server may choose ({string.Join(", ", allowedRoots)}); "
                + "add it on the command line or to Control:AllowedRoots in the config file";
        }
        return null;
    }

    /// <summary>
    /// Why <paramref name="realRoot"/> may never be synced for a server — it is or holds a credential store
    /// or system folder — or null. Applied at start to the workspaces the config file remembers (which the
    /// installer or the server put there).
    /// </summary>
    public static string? CheckForbidden(string realRoot)
    {
        foreach (var folder in ForbiddenFolders())
        {
            if (IsSameOrInside(realRoot, folder))
            {
                return $"workspace path '{realRoot}' is inside '{folder}', a credential store or system folder; the server may not sync it";
            }
            if (IsSameOrInside(folder, realRoot) && Exists(folder))
            {
                return $"workspace path '{realRoot}' contains '{folder}', a credential store or system folder; the server may not sync it";
            }
        }
        return null;
    }

    private static bool Exists(string path) => Directory.Exists(path) || File.Exists(path);

    /// <summary>True when <paramref name="path"/> is <paramref name="folder"/> or lies under it (both full paths).</summary>
    public static bool IsSameOrInside(string path, string folder)
    {
        path = Path.TrimEndingDirectorySeparator(path);
        folder = Path.TrimEndingDirectorySeparator(folder);
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
}
