using FileSync.Edge.Uplink;
using FileSync.Edge.Watching;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FileSync.Edge.Workspace;

/// <summary>
/// The agent's running workspaces: one <see cref="WorkspaceSync"/> per root, seen by everyone else
/// as an <see cref="IWorkspace"/>. Which roots are the same, overlap or may be workspaces at all is
/// decided by <see cref="WorkspaceRoot"/>.
/// </summary>
public sealed partial class WorkspaceRegistry(
    IOptions<SyncOptions> options,
    IUplink uplink,
    IWorkspaceWatcherFactory watcherFactory,
    TimeProvider time,
    ILoggerFactory loggerFactory,
    ISyncProgress? progress = null,
    WorkspaceIndexPersistence? indexPersistence = null,
    MemoryTrimmer? memoryTrimmer = null
) : IAsyncDisposable
{
    // One for all the workspaces: a trim is worth it for what all of them read.
    private readonly MemoryTrimmer _memoryTrimmer = memoryTrimmer ?? new MemoryTrimmer();

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ILogger _logger = loggerFactory.CreateLogger<WorkspaceRegistry>();
    private readonly bool _guardLogged = LogSecretGuard(
        options.Value,
        loggerFactory.CreateLogger<WorkspaceRegistry>()
    );
    private volatile WorkspaceSync[] _running = [];

    /// <summary>The running workspaces, in the order they were added.</summary>
    public IReadOnlyList<IWorkspace> Workspaces => _running;

    /// <summary>Set by a <c>pause</c> of all workspaces (cleared by <c>resume</c>): workspaces added meanwhile start paused.</summary>
    public bool PauseNewWorkspaces { get; set; }

    private readonly TaskCompletionSource _failure = new(
        TaskCreationOptions.RunContinuationsAsynchronously
    );

    /// <summary>Faults when a workspace's loop dies of something it cannot survive (out of memory); never completes otherwise.</summary>
    public Task Failure => _failure.Task;

    /// <summary>
    /// Starts syncing <paramref name="path"/>. Returns the workspace (the existing one when already
    /// running), or why the path may not be a workspace (<see cref="WorkspaceRoot.TryValidate"/>, or it
    /// overlaps a running workspace).
    /// </summary>
    public async Task<WorkspaceAddResult> AddAsync(
        string path,
        CancellationToken cancellationToken = default
    )
    {
        if (!WorkspaceRoot.TryValidate(path, out var root, out var rejection))
        {
            return new WorkspaceAddResult(null, rejection);
        }
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Find(root) is { } existing)
            {
                return new WorkspaceAddResult(existing, null);
            }
            foreach (var other in _running)
            {
                if (root.Overlaps(WorkspaceRoot.From(other.RootPath)))
                {
                    return new WorkspaceAddResult(
                        null,
                        new WorkspaceRootRejection(
                            WorkspaceRootProblem.Overlaps,
                            $"workspace '{root}' overlaps the workspace '{other.RootPath}'"
                        )
                    );
                }
            }
            var workspace = new WorkspaceSync(
                root.Path,
                options.Value,
                uplink,
                watcherFactory,
                time,
                loggerFactory.CreateLogger<WorkspaceSync>(),
                progress,
                indexPersistence?.Store,
                _memoryTrimmer
            );
            if (PauseNewWorkspaces)
            {
                workspace.Pause();
            }
            // Listed before it starts: the server's answer to its first message (a tree request, a
            // manifest diff, an error about a file) must find it, and it may come within a round trip.
            _running = [.. _running, workspace];
            try
            {
                await workspace.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                _running = [.. _running.Where(w => w != workspace)];
                await workspace.DisposeAsync().ConfigureAwait(false);
                throw;
            }
            _ = workspace.Failure.ContinueWith(
                t => _failure.TrySetException(t.Exception!.InnerExceptions),
                CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted,
                TaskScheduler.Default
            );
            Log.WorkspaceAdded(_logger, root.Path);
        }
        finally
        {
            _gate.Release();
        }
        return new WorkspaceAddResult(Find(root), null);
    }

    /// <summary>Stops syncing the workspace at <paramref name="path"/>. False when it was not running.</summary>
    public async Task<bool> RemoveAsync(string path, CancellationToken cancellationToken = default)
    {
        WorkspaceSync? workspace;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            workspace = FindRunning(WorkspaceRoot.TryFrom(path));
            if (workspace is null)
            {
                return false;
            }
            _running = [.. _running.Where(m => m != workspace)];
        }
        finally
        {
            _gate.Release();
        }
        await workspace.DisposeAsync().ConfigureAwait(false);
        Log.WorkspaceRemoved(_logger, workspace.RootPath);
        return true;
    }

    /// <summary>The workspace whose root is <paramref name="path"/> (normalised, no links resolved), or null.</summary>
    public IWorkspace? Find(string path) => FindRunning(WorkspaceRoot.TryFrom(path));

    /// <summary>The workspace whose root is <paramref name="root"/> (no links resolved), or null.</summary>
    public IWorkspace? Find(WorkspaceRoot root) => FindRunning(root);

    /// <summary>
    /// The workspace at the folder <paramref name="path"/> names: its root as given, or the same folder
    /// once links are resolved (<see cref="WorkspaceRoot.IsSameFolder"/>). Null when none runs there.
    /// </summary>
    public IWorkspace? FindFolder(string path)
    {
        if (WorkspaceRoot.TryFrom(path) is not { } root)
        {
            return null;
        }
        return FindRunning(root) ?? _running.FirstOrDefault(root.IsSameFolderAs);
    }

    /// <summary>
    /// The workspace holding <paramref name="fullPath"/> (strictly inside its root, by path) and the
    /// '/'-separated path relative to it; null when no workspace holds it.
    /// </summary>
    public (IWorkspace Workspace, string RelativePath)? FindContaining(string fullPath)
    {
        foreach (var workspace in _running)
        {
            if (
                WorkspacePaths.ToRelativePath(workspace.RootPath, fullPath) is
                { Length: > 0 } relative
            )
            {
                return (workspace, relative);
            }
        }
        return null;
    }

    private WorkspaceSync? FindRunning(WorkspaceRoot? root) =>
        root is null ? null : _running.FirstOrDefault(root.IsRootOf);

    public async ValueTask DisposeAsync()
    {
        var managers = _running;
        _running = [];
        foreach (var workspace in managers)
        {
            await workspace.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Says once, at start, that the secret guard is off, or which paths it lets through.</summary>
    private static bool LogSecretGuard(SyncOptions options, ILogger logger)
    {
        if (!options.SecretGuard)
        {
            Log.SecretGuardOff(logger);
        }
        else if (options.SecretGuardAllow.Count > 0)
        {
            Log.SecretGuardAllows(logger, string.Join(", ", options.SecretGuardAllow));
        }
        return true;
    }
}
