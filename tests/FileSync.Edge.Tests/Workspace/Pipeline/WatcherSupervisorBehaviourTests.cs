using FileSync.Edge.Watching;
using FileSync.Edge.Workspace;
using FileSync.Protocol;

namespace FileSync.Edge.Tests.Workspace.Pipeline;

/// <summary>
/// The watcher's failures (WatcherSupervisor): an overflow rescans and keeps the watcher, a broken one is
/// replaced, and with no watches left the workspace is polled instead.
/// </summary>
public sealed class WatcherSupervisorBehaviourTests : WorkspaceSyncFixture
{
    [Fact]
    public async Task WatcherError_RescansAndSendsOnlyRealDifferences()
    {
        _workspace.Write("a.txt", "a");
        _workspace.Write("b.txt", "b");
        await StartAsync();
        _uplink.Connect();
        await WaitForDoneAsync();
        _uplink.Clear();

        _workspace.Write("b.txt", "b changed while events were lost");
        Watcher.RaiseError(new InternalBufferOverflowException("overflow"));

        await Wait.UntilAsync(
            () => _uplink.Sent.Count >= 1,
            Wait.Generous,
            () => "the modify found by the rescan"
        );
        var modify = Assert.Single(_uplink.Sent);
        Assert.Equal(MessageTypes.FileModifySync, modify.Type);
        Assert.Equal("b.txt", modify.Payload.GetProperty("relativePath").GetString());
    }

    [Fact]
    public async Task WatcherFailure_NewWatcherStarted_OverflowKeepsTheOldOne()
    {
        _workspace.Write("a.txt", "a");
        await StartAsync();
        _uplink.Connect();
        await WaitForDoneAsync();
        var first = Watcher;

        first.RaiseError(new InternalBufferOverflowException("overflow"));
        _workspace.Write("a.txt", "a2");
        first.RaiseChanged(Path.Combine(Root, "a.txt"));
        await Wait.UntilAsync(
            () => _uplink.OfType(MessageTypes.FileModifySync).Count == 1,
            Wait.Generous,
            () => "the modify after the overflow"
        );
        Assert.Same(first, Watcher); // still working: kept

        first.RaiseError(new IOException("reading inotify events failed"));
        await Wait.UntilAsync(() => Watcher != first, Wait.Generous, () => "a new watcher");
        Assert.True(first.Disposed);
        Assert.True(Watcher.Started);
        _workspace.Write("a.txt", "a3");
        Touch("a.txt");
        await Wait.UntilAsync(
            () => _uplink.OfType(MessageTypes.FileModifySync).Count == 2,
            Wait.Generous,
            () => "a change seen by the new watcher"
        );
    }

    [Fact]
    public async Task WatchLimitReached_WarnsOnceNamingTheSysctlAndPollsInstead()
    {
        _workspace.Write("a.txt", "a");
        var time = new TestTimeProvider();
        var logger = new LogSink();
        await StartAsync(
            DefaultTiming(),
            time,
            watchers: new ThrowingWatcherFactory(
                new WatchLimitException(
                    "The configured user limit (8192) on the number of inotify watches was reached."
                )
            ),
            logger: logger
        );
        _uplink.Connect();
        await WaitForDoneAsync();
        _uplink.Clear();

        _workspace.Write("b.txt", "created with no watcher running");
        await Wait.UntilAsync(
            () =>
            {
                time.Advance(TimeSpan.FromMilliseconds(500));
                return !_uplink.Sent.IsEmpty;
            },
            Wait.Generous,
            () => "the create found by polling"
        );

        Assert.Equal(["b.txt"], _uplink.RelativePathsOf(MessageTypes.FileCreateSync));
        var warning = Assert.Single(logger.Entries, r => r.EventId.Name == "WatchLimitReached");
        Assert.Contains("fs.inotify.max_user_watches", warning.Message);
    }

    /// <summary>A watcher factory whose watchers cannot start (as when inotify is out of watches).</summary>
    private sealed class ThrowingWatcherFactory(Exception failure)
        : FileSync.Edge.Watching.IWorkspaceWatcherFactory
    {
        public FileSync.Edge.Watching.IWorkspaceWatcher Create(
            string rootPath,
            Func<string, bool> isExcludedDirectory
        ) => throw failure;
    }
}
