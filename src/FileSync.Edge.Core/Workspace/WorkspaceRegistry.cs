using FileSync.Edge.Uplink;
using FileSync.Edge.Watching;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FileSync.Edge.Workspace;

/// <summary>The agent's running workspaces: one <see cref="WorkspaceSyncManager"/> per root.</summary>
public sealed partial class WorkspaceRegistry(
    IOptions<SyncOptions> options,
    IUplink uplink,
    IWorkspaceWatcherFactory watcherFactory,
    TimeProvider time,
    ILoggerFactory loggerFactory,
    ISyncProgress? progress = null,
    WorkspaceIndexStore? indexStore = null
) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ILogger _logger = loggerFactory.CreateLogger<WorkspaceRegistry>();
    private volatile WorkspaceSyncManager[] _managers = [];

    public IReadOnlyList<WorkspaceSyncManager> Managers => _managers;

    /// <summary>Set by a <c>pause</c> of all workspaces (cleared by <c>resume</c>): workspaces added meanwhile start paused.</summary>
    public bool PauseNewWorkspaces { get; set; }

    private readonly TaskCompletionSource _failure = new(
        TaskCreationOptions.RunContinuationsAsynchronously
    );

    /// <summary>Faults when a workspace's loop dies of something it cannot survive (out of memory); never completes otherwise.</summary>
    public Task Failure => _failure.Task;

    /// <summary>
    /// Starts syncing <paramref name="path"/>. Returns the manager (the existing one when already running),
    /// or null with a one-line reason when the path may not be a workspace.
    /// </summary>
    public async Task<(WorkspaceSyncManager? Manager, string Error)> AddAsync(
        string path,
        CancellationToken cancellationToken = default
    )
    {
        var root = WorkspaceRootValidator.Validate(path, out var error);
        if (root is null)
        {
            return (null, error);
        }
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Find(root) is { } existing)
            {
                return (existing, "");
            }
            foreach (var other in _managers)
            {
                if (IsUnder(root, other.RootPath) || IsUnder(other.RootPath, root))
                {
                    return (null, $"workspace '{root}' overlaps the workspace '{other.RootPath}'");
                }
            }
            var manager = new WorkspaceSyncManager(
                root,
                options.Value,
                uplink,
                watcherFactory,
                time,
                loggerFactory.CreateLogger<WorkspaceSyncManager>(),
                progress,
                indexStore
            );
            if (PauseNewWorkspaces)
            {
                manager.Pause();
            }
            await manager.StartAsync(cancellationToken).ConfigureAwait(false);
            _ = manager.Failure.ContinueWith(
                t => _failure.TrySetException(t.Exception!.InnerExceptions),
                CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted,
                TaskScheduler.Default
            );
            _managers = [.. _managers, manager];
            Log.WorkspaceAdded(_logger, root);
        }
        finally
        {
            _gate.Release();
        }
        return (Find(root), "");
    }

    /// <summary>Stops syncing the workspace at <paramref name="path"/>. False when it was not running.</summary>
    public async Task<bool> RemoveAsync(string path, CancellationToken cancellationToken = default)
    {
        WorkspaceSyncManager? manager;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            manager = Find(path);
            if (manager is null)
            {
                return false;
            }
            _managers = [.. _managers.Where(m => m != manager)];
        }
        finally
        {
            _gate.Release();
        }
        await manager.DisposeAsync().ConfigureAwait(false);
        Log.WorkspaceRemoved(_logger, manager.RootPath);
        return true;
    }

    /// <summary>The workspace whose root is <paramref name="path"/> (normalised), or null.</summary>
    public WorkspaceSyncManager? Find(string path)
    {
        string root;
        try
        {
            root = WorkspacePaths.NormalizeRoot(path);
        }
        catch (Exception ex)
            when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return null;
        }
        return _managers.FirstOrDefault(m =>
            string.Equals(m.RootPath, root, PathComparer.Comparison)
        );
    }

    private static bool IsUnder(string path, string root) =>
        path.Length > root.Length
        && path.StartsWith(root, PathComparer.Comparison)
        && (
            path[root.Length] == Path.DirectorySeparatorChar || Path.EndsInDirectorySeparator(root)
        );

    public async ValueTask DisposeAsync()
    {
        var managers = _managers;
        _managers = [];
        foreach (var manager in managers)
        {
            await manager.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(
            350,
            LogLevel.Information,
            "Syncing workspace {Root}",
            EventName = "WorkspaceAdded"
        )]
        public static partial void WorkspaceAdded(ILogger logger, string root);

        [LoggerMessage(
            351,
            LogLevel.Information,
            "Stopped syncing workspace {Root}",
            EventName = "WorkspaceRemoved"
        )]
        public static partial void WorkspaceRemoved(ILogger logger, string root);
    }
}
