using FileSync.Edge.Workspace;
using Microsoft.Extensions.Options;

namespace FileSync.Edge.Control;

/// <summary>
/// Workspace lifecycle on behalf of the server (<c>edge:config_update</c>, <c>workspace:sync_start</c>,
/// <c>workspace:sync_stop</c>, <c>workspace:resync</c>) and the local <c>add</c> and <c>remove</c>: the
/// same root rules (<see cref="WorkspaceRoot.TryForServer"/>) and the same remembered list
/// (<see cref="RememberedWorkspaces"/>) for both. Answers with typed outcomes; the caller formats the
/// replies.
/// </summary>
public sealed class WorkspaceCommands(
    WorkspaceRegistry workspaces,
    IOptions<ControlOptions> controlOptions,
    RememberedWorkspaces remembered
)
{
    private readonly ControlOptions _options = controlOptions.Value;

    private IReadOnlyList<string> AllowedRoots =>
        _allowedRoots ??= _options.EffectiveAllowedRoots();
    private IReadOnlyList<string>? _allowedRoots;

    /// <summary>The roots the server's last <c>edge:config_update</c> listed (links resolved).</summary>
    private volatile WorkspaceRoot[] _configured = [];

    /// <summary>
    /// Makes the running workspaces match <paramref name="paths"/> (the command line's stay whatever the
    /// server lists) and remembers the ones that run. Returns the paths refused, in order.
    /// </summary>
    public async Task<IReadOnlyList<WorkspaceRefusal>> ApplyConfigAsync(
        IReadOnlyList<string> paths,
        CancellationToken cancellationToken = default
    )
    {
        var refusals = new List<WorkspaceRefusal>();
        var wanted = new List<WorkspaceRoot>();
        foreach (var path in paths)
        {
            if (!WorkspaceRoot.TryForServer(path, AllowedRoots, out var root, out var rejection))
            {
                refusals.Add(WorkspaceRefusal.Of(path ?? "", rejection));
                continue;
            }
            if (!wanted.Contains(root))
            {
                wanted.Add(root);
            }
        }
        _configured = [.. wanted];
        foreach (var workspace in workspaces.Workspaces)
        {
            // The user's own command line wins: those folders keep syncing whatever the server lists.
            if (
                !wanted.Any(root => root.IsSameFolderAs(workspace))
                && !IsGivenOnCommandLine(workspace)
            )
            {
                await workspaces
                    .RemoveAsync(workspace.RootPath, cancellationToken)
                    .ConfigureAwait(false);
            }
        }
        var applied = new List<WorkspaceRoot>();
        foreach (var root in wanted)
        {
            if (workspaces.FindFolder(root.Path) is null)
            {
                var added = await workspaces
                    .AddAsync(root.Path, cancellationToken)
                    .ConfigureAwait(false);
                if (added.Rejection is { } rejection)
                {
                    refusals.Add(WorkspaceRefusal.Of(root.Path, rejection));
                    continue;
                }
            }
            applied.Add(root);
        }
        remembered.ReplaceWith(applied);
        return refusals;
    }

    /// <summary>Starts syncing <paramref name="path"/> for the server and remembers it; null, or why not.</summary>
    public async Task<WorkspaceRefusal?> StartAsync(
        string path,
        CancellationToken cancellationToken = default
    )
    {
        var addition = await AddAsync(path, cancellationToken).ConfigureAwait(false);
        return addition.Rejection is { } rejection
            ? WorkspaceRefusal.Of(addition.Root?.Path ?? path, rejection)
            : null;
    }

    /// <summary>
    /// A <c>ctx:workspace_request</c> for one of the edge's workspaces (the server listed it) that is not
    /// running — it could not start then — starts it now, as the todoforai clients start syncs on demand.
    /// </summary>
    public async Task<WorkspaceRefusal?> StartIfConfiguredAsync(
        string? path,
        CancellationToken cancellationToken = default
    )
    {
        if (path is null || PathShape.Check(path) is not null || FindActive(path) is not null)
        {
            return null;
        }
        if (WorkspaceRoot.TryFrom(path) is { } root && _configured.Any(root.IsSameFolder))
        {
            return await StartAsync(path, cancellationToken).ConfigureAwait(false);
        }
        return null;
    }

    /// <summary>
    /// Stops syncing the workspace at <paramref name="path"/> for the server and forgets it (also when it
    /// is not running: a remembered folder that was missing at start-up); null, or why not.
    /// </summary>
    public async Task<WorkspaceRefusal?> StopAsync(
        string path,
        CancellationToken cancellationToken = default
    )
    {
        if (PathShape.Check(path) is { } shapeError)
        {
            return WorkspaceRefusal.BadShape(path, shapeError);
        }
        var removal = await RemoveAsync(path, cancellationToken).ConfigureAwait(false);
        return removal.Stopped || removal.Forgotten ? null : WorkspaceRefusal.NotActive(path);
    }

    /// <summary>Runs a full sync of the workspace at <paramref name="path"/> again; null, or why not.</summary>
    public WorkspaceRefusal? Resync(string path)
    {
        if (PathShape.Check(path) is { } shapeError)
        {
            return WorkspaceRefusal.BadShape(path, shapeError);
        }
        if (FindActive(path) is { } workspace)
        {
            workspace.RequestResync();
            return null;
        }
        return WorkspaceRefusal.NotActive(path);
    }

    /// <summary>
    /// Starts syncing <paramref name="path"/> if the server could choose it (under the allowed roots, no
    /// credential store, not overlapping another workspace) and remembers it in the config file.
    /// </summary>
    public async Task<WorkspaceAddition> AddAsync(
        string path,
        CancellationToken cancellationToken = default
    )
    {
        if (!WorkspaceRoot.TryForServer(path, AllowedRoots, out var root, out var rejection))
        {
            return new WorkspaceAddition(null, rejection, AlreadyRunning: false);
        }
        var already = workspaces.FindFolder(root.Path) is not null;
        if (!already)
        {
            var added = await workspaces
                .AddAsync(root.Path, cancellationToken)
                .ConfigureAwait(false);
            if (added.Rejection is not null)
            {
                return new WorkspaceAddition(root, added.Rejection, AlreadyRunning: false);
            }
        }
        remembered.Add(root);
        return new WorkspaceAddition(root, null, already);
    }

    /// <summary>
    /// Stops syncing the workspace at <paramref name="path"/> and forgets every remembered name of its
    /// folder. A workspace given on the command line stops for this run only.
    /// </summary>
    public async Task<WorkspaceRemoval> RemoveAsync(
        string path,
        CancellationToken cancellationToken = default
    )
    {
        var target = WorkspaceRoot.TryFrom(path);
        var workspace = FindActive(path);
        var commandLine = false;
        if (workspace is not null)
        {
            commandLine = IsGivenOnCommandLine(workspace);
            await workspaces
                .RemoveAsync(workspace.RootPath, cancellationToken)
                .ConfigureAwait(false);
        }
        var forgotten = remembered.Forget(saved =>
            (target is not null && saved.IsSameFolder(target))
            || (workspace is not null && saved.IsSameFolderAs(workspace))
        );
        return new WorkspaceRemoval(workspace is not null, forgotten, commandLine);
    }

    /// <summary>The running workspace at the folder <paramref name="path"/> names (as given or through links), or null.</summary>
    public IWorkspace? FindActive(string path) => workspaces.FindFolder(path);

    /// <summary>True when <paramref name="workspace"/> is a folder given on the agent's command line (or service unit).</summary>
    public bool IsGivenOnCommandLine(IWorkspace workspace) =>
        _options.CommandLineRoots.Any(root =>
            WorkspaceRoot.TryFrom(root)?.IsSameFolderAs(workspace) == true
        );
}
