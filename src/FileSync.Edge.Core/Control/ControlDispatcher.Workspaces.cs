using System.Text.Json;
using FileSync.Edge.Workspace;
using FileSync.Protocol;

namespace FileSync.Edge.Control;

/// <summary>Workspace commands: the server choosing, starting, stopping and re-syncing workspaces, and remembering its choice.</summary>
public sealed partial class ControlDispatcher
{
    private async Task ApplyConfigAsync(
        IReadOnlyList<string> paths,
        CancellationToken cancellationToken
    )
    {
        var wanted = new List<string>();
        foreach (var path in paths)
        {
            var root = PathGuard.ResolveRoot(path, AllowedRoots, out var error, out var code);
            if (root is null)
            {
                await RefuseWorkspaceAsync(path ?? "", code, error, cancellationToken)
                    .ConfigureAwait(false);
                continue;
            }
            if (!wanted.Contains(root, PathComparer.Default))
            {
                wanted.Add(root);
            }
        }
        _configured = [.. wanted];
        foreach (var manager in workspaces.Managers)
        {
            // The user's own command line wins: those folders keep syncing whatever the server lists.
            if (
                !wanted.Contains(RealRootOf(manager), PathComparer.Default)
                && !IsCommandLineRoot(manager)
            )
            {
                await workspaces
                    .RemoveAsync(manager.RootPath, cancellationToken)
                    .ConfigureAwait(false);
            }
        }
        var applied = new List<string>();
        foreach (var root in wanted)
        {
            if (FindByRealRoot(root) is not null)
            {
                applied.Add(root);
                continue;
            }
            var (_, error) = await workspaces
                .AddAsync(root, cancellationToken)
                .ConfigureAwait(false);
            if (error.Length > 0)
            {
                await RefuseWorkspaceAsync(root, ErrorCodes.ForbiddenPath, error, cancellationToken)
                    .ConfigureAwait(false);
                continue;
            }
            applied.Add(root);
        }
        Remember(list =>
        {
            list.Clear();
            list.AddRange(applied);
            return true;
        });
    }

    /// <summary>The roots the server's last <c>edge:config_update</c> listed (resolved).</summary>
    private List<string> _configured = [];

    private bool IsCommandLineRoot(WorkspaceSyncManager manager) =>
        controlOptions.Value.CommandLineRoots.Any(root =>
            SamePath(root, manager.RootPath) || SamePath(root, RealRootOf(manager))
        );

    /// <summary>
    /// A <c>ctx:workspace_request</c> for one of the edge's workspaces (the server listed it) that is not
    /// running — it could not start then — starts it now, as the todoforai clients start syncs on demand.
    /// </summary>
    private async Task StartIfConfiguredAsync(string? path, CancellationToken cancellationToken)
    {
        if (path is null || PathGuard.CheckShape(path) is not null || FindActive(path) is not null)
        {
            return;
        }
        var real = FullPathOf(path) is { } full ? PathGuard.ResolveLinks(full, out _) : null;
        if (real is not null && _configured.Any(root => SamePath(root, real)))
        {
            await StartWorkspaceAsync(path, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task StartWorkspaceAsync(string path, CancellationToken cancellationToken)
    {
        var root = PathGuard.ResolveRoot(path, AllowedRoots, out var error, out var code);
        if (root is null)
        {
            await RefuseWorkspaceAsync(path, code, error, cancellationToken).ConfigureAwait(false);
            return;
        }
        if (FindByRealRoot(root) is null)
        {
            (_, error) = await workspaces.AddAsync(root, cancellationToken).ConfigureAwait(false);
            if (error.Length > 0)
            {
                await RefuseWorkspaceAsync(root, ErrorCodes.ForbiddenPath, error, cancellationToken)
                    .ConfigureAwait(false);
                return;
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
    }

    private async Task StopWorkspaceAsync(string path, CancellationToken cancellationToken)
    {
        if (PathGuard.CheckShape(path) is { } shapeError)
        {
            await RefuseWorkspaceAsync(
                    path,
                    ErrorCodes.ForbiddenPath,
                    shapeError,
                    cancellationToken
                )
                .ConfigureAwait(false);
            return;
        }
        var manager = FindActive(path);
        var names = new List<string> { path };
        if (manager is not null)
        {
            names.Add(manager.RootPath);
            names.Add(RealRootOf(manager));
            await workspaces.RemoveAsync(manager.RootPath, cancellationToken).ConfigureAwait(false);
        }
        else if (FullPathOf(path) is { } full && PathGuard.ResolveLinks(full, out _) is { } real)
        {
            names.Add(full);
            names.Add(real);
        }
        // Forget it even when it is not running (a remembered folder that was missing at start-up).
        var forgotten = false;
        Remember(list =>
        {
            forgotten = list.RemoveAll(saved => names.Any(name => SamePath(saved, name))) > 0;
            return forgotten;
        });
        if (manager is null && !forgotten)
        {
            await RefuseWorkspaceAsync(
                    path,
                    ErrorCodes.NotFound,
                    $"'{path}' is not an active workspace",
                    cancellationToken
                )
                .ConfigureAwait(false);
        }
    }

    private async Task ResyncWorkspaceAsync(string path, CancellationToken cancellationToken)
    {
        if (PathGuard.CheckShape(path) is { } shapeError)
        {
            await RefuseWorkspaceAsync(
                    path,
                    ErrorCodes.ForbiddenPath,
                    shapeError,
                    cancellationToken
                )
                .ConfigureAwait(false);
            return;
        }
        if (FindActive(path) is { } manager)
        {
            manager.RequestResync();
            return;
        }
        await RefuseWorkspaceAsync(
                path,
                ErrorCodes.NotFound,
                $"'{path}' is not an active workspace",
                cancellationToken
            )
            .ConfigureAwait(false);
    }

    /// <summary>The active workspace named by an absolute <paramref name="path"/> (as given or with links resolved).</summary>
    private WorkspaceSyncManager? FindActive(string path)
    {
        if (workspaces.Find(path) is { } manager)
        {
            return manager;
        }
        return FullPathOf(path) is { } full && PathGuard.ResolveLinks(full, out _) is { } real
            ? FindByRealRoot(real)
            : null;
    }

    private static string? FullPathOf(string path)
    {
        try
        {
            return Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        }
        catch (Exception ex)
            when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return null;
        }
    }

    private WorkspaceSyncManager? FindByRealRoot(string realRoot) =>
        workspaces.Managers.FirstOrDefault(m =>
            SamePath(m.RootPath, realRoot) || SamePath(RealRootOf(m), realRoot)
        );

    private static string RealRootOf(WorkspaceSyncManager manager) =>
        PathGuard.ResolveLinks(manager.RootPath, out _) ?? manager.RootPath;

    private static bool SamePath(string a, string b) =>
        string.Equals(
            Path.TrimEndingDirectorySeparator(a),
            Path.TrimEndingDirectorySeparator(b),
            PathComparer.Comparison
        );

    private readonly Lock _rememberGate = new();

    /// <summary>Applies <paramref name="change"/> to the remembered list; saves when it says something changed.</summary>
    private void Remember(Func<List<string>, bool> change)
    {
        if (workspaceStore is null)
        {
            return;
        }
        try
        {
            // The server's commands and the local ones (another thread) both edit the list.
            lock (_rememberGate)
            {
                var list = workspaceStore.Load().ToList();
                if (change(list))
                {
                    workspaceStore.Save(list);
                }
            }
        }
        catch (Exception ex)
            when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            Log.WorkspaceListNotSaved(logger, ex.Message);
        }
    }
}
