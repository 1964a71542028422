using System.Security.Cryptography;
using FileSync.Edge.Tests.Infrastructure;
using FileSync.Edge.Workspace;
using FileSync.Protocol;
using Microsoft.Extensions.Logging.Abstractions;

namespace FileSync.Edge.Tests.Workspace;

/// <summary>
/// One workspace's sync over real files, with the uplink and watcher replaced by test seams so each
/// test controls exactly which events arrive and when the connection exists. The classes deriving from
/// it are named after the pipeline stage whose behaviour they pin (Workspace/Pipeline/…BehaviourTests
/// and the like); most still drive the <see cref="WorkspaceSync"/> facade. The members keep the names
/// the tests used when they were one class (WorkspaceSyncTests), so the moved tests read unchanged.
/// </summary>
public abstract class WorkspaceSyncFixture : IAsyncLifetime
{
    protected readonly TempDirectory _workspace = new();
    protected readonly RecordingUplink _uplink = new();
    protected readonly FakeWorkspaceWatcherFactory _watchers = new();
    protected WorkspaceSync? _manager;

    protected string Root => _workspace.Path;

    protected FakeWorkspaceWatcher Watcher => _watchers.Watchers.Values.Single();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_manager is not null)
        {
            await _manager.DisposeAsync();
        }
        _workspace.Dispose();
    }

    protected async Task<WorkspaceSync> StartAsync(
        SyncOptions? options = null,
        TimeProvider? time = null,
        FileSync.Edge.Uplink.IUplink? uplink = null,
        FileSync.Edge.Watching.IWorkspaceWatcherFactory? watchers = null,
        Microsoft.Extensions.Logging.ILogger? logger = null
    )
    {
        options ??= new SyncOptions
        {
            BatchMilliseconds = 20,
            SettleMilliseconds = 0,
            RescanMinutes = 0,
        };
        _manager = new WorkspaceSync(
            Root,
            options,
            uplink ?? _uplink,
            watchers ?? _watchers,
            time ?? TimeProvider.System,
            logger ?? NullLogger.Instance
        );
        await _manager.StartAsync();
        return _manager;
    }

    /// <summary>
    /// Waits for <paramref name="count"/> <c>file_done</c> and for the loop to have counted as many
    /// batches: file_done goes out before its batch ends, and a test that moves a fake clock on before
    /// the batch ended would start the next busy period later than it thinks.
    /// </summary>
    protected Task WaitForDoneAsync(int count = 1) =>
        Wait.UntilAsync(
            () =>
                _uplink.OfType(MessageTypes.FileDone).Count >= count
                && (_manager is null || _manager.BatchesWithSends >= count),
            Wait.Generous,
            () =>
                $"{count} file_done and batches, got {_uplink.OfType(MessageTypes.FileDone).Count} and {_manager?.BatchesWithSends}"
        );

    /// <summary>The agent's default batch interval (500 ms) and settle time (10 ms), no periodic rescan.</summary>
    protected static SyncOptions DefaultTiming() =>
        new()
        {
            BatchMilliseconds = 500,
            SettleMilliseconds = 10,
            RescanMinutes = 0,
        };

    /// <summary>
    /// Starts on a manual clock with the default batch (500 ms) and settle (10 ms), waits for the initial
    /// sync, forgets its messages and lets one quiet batch interval pass: the next change is a lone one.
    /// </summary>
    protected async Task<TestTimeProvider> StartSyncedAndQuietAsync()
    {
        var time = new TestTimeProvider();
        await StartAsync(DefaultTiming(), time);
        _uplink.Connect();
        await WaitForDoneAsync();
        _uplink.Clear();
        time.Advance(TimeSpan.FromSeconds(1));
        return time;
    }

    protected void Touch(string relativePath) =>
        Watcher.RaiseChanged(Path.Combine(Root, relativePath));

    protected static string Sha256(byte[] bytes) =>
        Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Moves the manual clock on in small steps until <paramref name="condition"/> holds.</summary>
    protected static async Task AdvanceUntilAsync(
        TestTimeProvider time,
        Func<bool> condition,
        string what
    )
    {
        await Wait.UntilAsync(
            () =>
            {
                if (condition())
                {
                    return true;
                }
                time.Advance(TimeSpan.FromMilliseconds(250));
                return false;
            },
            Wait.Generous,
            () => what
        );
    }
}
