using FileSync.Edge.Filtering;
using FileSync.Edge.Filtering.Secrets;
using FileSync.Edge.Uplink;
using FileSync.Edge.Watching;
using FileSync.Edge.Workspace.Pipeline;
using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Workspace;

// The one place a workspace's pipeline is built: every stage gets what it needs in its constructor, in
// the order data flows — watcher → dirty set → batch clock → planner → hasher → reconciler → applier →
// sender — then what runs the batches. The stages talk back through IWorkspaceSignals, implemented here.
public sealed partial class WorkspaceSync : IWorkspaceSignals
{
    private readonly SyncOptions _options;
    private readonly IUplink _uplink;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    private readonly WorkspaceSyncState _state;
    private readonly FullSyncProgress _fullSyncProgress = new();
    private readonly FileContentReader _reader;
    private readonly PauseGate _gate;
    private readonly WorkspaceLifecycle _lifecycle;
    private readonly IndexSaver _saver;
    private readonly RejectionRetrier _rejections;
    private readonly WatcherSupervisor _watchers;
    private readonly DirtySet _dirty;
    private readonly BatchClock _clock;
    private readonly ManifestExchange _manifest;
    private readonly DeliveryConfirmation _delivery;
    private readonly WorkspaceLoop _loopRunner;
    private readonly WorkspaceQueries _queries;

    public WorkspaceSync(
        string rootPath,
        SyncOptions options,
        IUplink uplink,
        IWorkspaceWatcherFactory watcherFactory,
        TimeProvider time,
        ILogger logger,
        ISyncProgress? progress = null,
        WorkspaceIndexStore? indexStore = null,
        MemoryTrimmer? memoryTrimmer = null
    )
    {
        RootPath = WorkspaceRoot.Normalize(rootPath);
        Name = Path.GetFileName(RootPath);
        _options = options;
        _uplink = uplink;
        _time = time;
        _logger = logger;
        // One per agent, shared by its workspaces (the registry passes it); a workspace built alone gets its own.
        memoryTrimmer ??= new MemoryTrimmer();

        // The state the stages share, and how long each part of a sync took.
        _state = new WorkspaceSyncState(time);
        var timings = new SyncTimings(time);

        // Reading the disk: what is ignored, what is there, what a file holds.
        var filter = new WorkspaceIgnoreFilter(RootPath);
        var scanner = new WorkspaceScanner(RootPath, filter);
        var guard = new SecretGuard(options.SecretGuard, options.SecretGuardAllow);
        _state.Index.GuardFingerprint = guard.Fingerprint;
        _reader = new FileContentReader(RootPath, options.MaxFileBytes, secretGuard: guard);

        // Talking to the server, and the workspace's state.
        _gate = new PauseGate(uplink, time);
        _saver = new IndexSaver(indexStore, RootPath, Name, _state.Index, time, logger);
        var sender = new WorkspaceSender(
            new SyncMessageBuilder(RootPath),
            uplink,
            _state.Counters,
            timings,
            time
        );
        _lifecycle = new WorkspaceLifecycle(RootPath, options.MaxFiles, sender, this, logger);

        // The pipeline, in the order data flows.
        _watchers = new WatcherSupervisor(RootPath, watcherFactory, filter, this, time, logger);
        _dirty = new DirtySet(options.MaxDirtyPaths);
        _clock = new BatchClock(options.BatchInterval, options.Settle, time);
        var planner = new ChangePlanner(
            RootPath,
            _state.Index,
            _state.Server,
            filter,
            scanner,
            _state.Counters,
            _watchers.RequestRewatch,
            logger
        );
        _rejections = new RejectionRetrier(
            RootPath,
            options.MaxFiles,
            _state.Server,
            this,
            time,
            logger
        );
        var hasher = new FileHasher(_reader, filter, _state.Held, options.HashParallelism, timings);
        var reconciler = new SyncReconciler(_state.Index, _state.Server, options.MaxFiles);
        var applier = new SyncActionApplier(
            RootPath,
            Name,
            _state.Index,
            _state.Server,
            _state.Counters,
            _rejections,
            _state.Held,
            _saver,
            sender,
            progress,
            _fullSyncProgress,
            memoryTrimmer,
            this,
            logger
        );
        var pipeline = new SyncPipeline(_gate, hasher, reconciler, applier);

        // Beside it: the manifest resume, and the server's confirmation that a full sync arrived.
        _manifest = new ManifestExchange(Name, uplink, sender, time, logger);
        _delivery = new DeliveryConfirmation(uplink, _state.Counters, time);

        // What runs the batches, and what answers reads beside them.
        var fullSync = new FullSync(
            RootPath,
            Name,
            options.MaxFiles,
            options.MaxFileBytes,
            _state,
            _lifecycle,
            filter,
            _reader,
            _watchers,
            planner,
            pipeline,
            _gate,
            _manifest,
            _rejections,
            sender,
            _delivery,
            _saver,
            timings,
            _fullSyncProgress,
            progress,
            time,
            logger
        );
        _loopRunner = new WorkspaceLoop(
            RootPath,
            options.MaxDirtyPaths,
            uplink,
            _state.Index,
            _state.Counters,
            _lifecycle,
            filter,
            _watchers,
            _dirty,
            _clock,
            planner,
            pipeline,
            fullSync,
            _gate,
            _rejections,
            _saver,
            memoryTrimmer,
            logger
        );
        _queries = new WorkspaceQueries(
            RootPath,
            options.MaxFileBytes,
            _lifecycle,
            filter,
            scanner,
            _reader,
            guard
        );
    }

    void IWorkspaceSignals.MarkDirty(string relativePath, bool completed) =>
        MarkDirty(relativePath, completed);

    void IWorkspaceSignals.RequestRescan() => RequestRescan();

    void IWorkspaceSignals.Wake() => _clock.Wake();

    void IWorkspaceSignals.ReportProblem(string problem) => _lifecycle.LastError = problem;

    void IWorkspaceSignals.RootChanged()
    {
        _watchers.Halt();
        _dirty.Clear();
    }

    void IWorkspaceSignals.RootMissing() => _watchers.OnRootMissing();
}
