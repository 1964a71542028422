using FileSync.Edge.Workspace;

namespace FileSync.Edge.Control;

/// <summary>
/// The local <c>add</c> and <c>remove</c> commands: the same root rules and the same remembered list as
/// the server's <c>workspace:sync_start</c> / <c>workspace:sync_stop</c>, but answered to the caller
/// instead of the server.
/// </summary>
public sealed partial class ControlDispatcher
{
    /// <summary>
    /// Starts syncing <paramref name="path"/> if the server could choose it (under the allowed roots, no
    /// credential store, not overlapping another workspace) and remembers it in the config file.
    /// </summary>
    /// <returns>The workspace root, or null with a one-line reason; <c>Already</c> when it was running.</returns>
    public async Task<(string? Root, string Error, bool Already)> AddFromLocalAsync(
        string path,
        CancellationToken cancellationToken = default
    )
    {
        var root = PathGuard.ResolveRoot(path, AllowedRoots, out var error, out _);
        if (root is null)
        {
            return (null, error, false);
        }
        var already = FindByRealRoot(root) is not null;
        if (!already)
        {
            (_, error) = await workspaces.AddAsync(root, cancellationToken).ConfigureAwait(false);
            if (error.Length > 0)
            {
                return (null, error, false);
            }
        }
        Remember(list =>
        {
            if (list.Contains(root, PathComparer.Default))
            {
                return false;
            }
            list.Add(root);
            return true;
        });
        return (root, "", already);
    }

    /// <summary>
    /// Stops syncing the workspace at <paramref name="path"/> and forgets it in the config file. A
    /// workspace given on the command line stops for this run only (<c>CommandLine</c>).
    /// </summary>
    public async Task<(bool Removed, bool Forgotten, bool CommandLine)> RemoveFromLocalAsync(
        string path,
        CancellationToken cancellationToken = default
    )
    {
        var manager = FindActive(path);
        var names = new List<string> { path };
        var commandLine = false;
        if (manager is not null)
        {
            names.Add(manager.RootPath);
            names.Add(RealRootOf(manager));
            commandLine = IsCommandLineRoot(manager);
            await workspaces.RemoveAsync(manager.RootPath, cancellationToken).ConfigureAwait(false);
        }
        else if (PathGuard.ResolveLinks(path, out _) is { } real)
        {
            names.Add(real);
        }
        var forgotten = false;
        Remember(list =>
        {
            forgotten = list.RemoveAll(saved => names.Any(name => SamePath(saved, name))) > 0;
            return forgotten;
        });
        return (manager is not null, forgotten, commandLine);
    }
}
