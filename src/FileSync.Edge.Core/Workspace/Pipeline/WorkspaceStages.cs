using FileSync.Edge.Filtering;
using FileSync.Edge.Filtering.Secrets;
using FileSync.Edge.Uplink;
using FileSync.Edge.Watching;
using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Workspace.Pipeline;

/// <summary>
/// The stages of one workspace's pipeline and the state they share, built and wired once. Read in the
/// order data flows: watcher → dirty set → batch clock → planner → hasher → reconciler → applier →
/// sender; beside them the manifest exchange, rejection retries, the index saver and the counters.
/// </summary>
internal sealed class WorkspaceStages
{
    public WorkspaceStages(
        string rootPath,
        SyncOptions options,
        IUplink uplink,
        IWorkspaceWatcherFactory watcherFactory,
        WorkspaceIndexStore? indexStore,
        ISyncProgress? progress,
        TimeProvider time,
        ILogger logger
    )
    {
        RootPath = rootPath;
        Name = Path.GetFileName(rootPath);
        Options = options;
        Filter = new WorkspaceIgnoreFilter(rootPath);
        Scanner = new WorkspaceScanner(rootPath, Filter);
        Guard = new SecretGuard(options.SecretGuard, options.SecretGuardAllow);
        Index.GuardFingerprint = Guard.Fingerprint;
        Reader = new FileContentReader(rootPath, options.MaxFileBytes, secretGuard: Guard);
        Counters = new WorkspaceCounters(time);
        Gate = new PauseGate(uplink, time);
        Saver = new IndexSaver(indexStore, rootPath, Name, Index, time, logger);
        Timings = new SyncTimings(time);
        Sender = new WorkspaceSender(
            new SyncMessageBuilder(rootPath),
            uplink,
            Counters,
            Timings,
            time
        );
        Lifecycle = new WorkspaceLifecycle(rootPath, options.MaxFiles, Sender, logger);

        Watchers = new WatcherSupervisor(rootPath, watcherFactory, Filter, time, logger);
        Dirty = new DirtySet(options.MaxDirtyPaths);
        Clock = new BatchClock(options.BatchInterval, options.Settle, time);
        Planner = new ChangePlanner(
            rootPath,
            Index,
            Server,
            Filter,
            Scanner,
            Counters,
            Watchers.RequestRewatch,
            logger
        );
        Retrier = new RejectionRetrier(rootPath, options.MaxFiles, Server, time, logger);
        var hasher = new FileHasher(Reader, Filter, Held, options.HashParallelism, Timings);
        var reconciler = new SyncReconciler(Index, Server, options.MaxFiles);
        Applier = new SyncActionApplier(
            rootPath,
            Name,
            Index,
            Server,
            Counters,
            Retrier.Tracker,
            Held,
            Saver,
            Sender,
            progress,
            Progress,
            logger
        );
        Pipeline = new SyncPipeline(Gate, hasher, reconciler, Applier);
        Manifest = new ManifestExchange(Name, uplink, Sender, time, logger);
        Delivery = new DeliveryConfirmation(uplink, Counters, time);
    }

    public string RootPath { get; }
    public string Name { get; }
    public SyncOptions Options { get; }

    // The state the stages share (the loop's own).
    public WorkspaceIndex Index { get; } = new();
    public ServerHoldings Server { get; } = new();
    public HeldContent Held { get; } = new();
    public WorkspaceCounters Counters { get; }
    public SyncTimings Timings { get; }
    public WorkspaceLifecycle Lifecycle { get; }
    public PauseGate Gate { get; }
    public FullSyncProgress Progress { get; } = new();

    // Reading the disk.
    public WorkspaceIgnoreFilter Filter { get; }
    public WorkspaceScanner Scanner { get; }
    public FileContentReader Reader { get; }
    public SecretGuard Guard { get; }

    // The pipeline, in the order data flows.
    public WatcherSupervisor Watchers { get; }
    public DirtySet Dirty { get; }
    public BatchClock Clock { get; }
    public ChangePlanner Planner { get; }
    public SyncPipeline Pipeline { get; }
    public SyncActionApplier Applier { get; }
    public WorkspaceSender Sender { get; }

    // Beside it.
    public ManifestExchange Manifest { get; }
    public DeliveryConfirmation Delivery { get; }
    public RejectionRetrier Retrier { get; }
    public IndexSaver Saver { get; }
}
