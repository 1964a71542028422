using FileSync.Edge.Tests.Infrastructure;
using FileSync.Edge.Workspace;
using FileSync.Protocol;
using Microsoft.Extensions.Logging.Abstractions;

namespace FileSync.Edge.Tests.Workspace.Pipeline;

/// <summary>
/// The loop's own triggers and endings (WorkspaceLoop, and the facade's rescan timer): a session lost
/// mid-batch converges on the next one, the periodic rescan finds what no event reported, and running
/// out of memory faults the registry so the host ends the agent.
/// </summary>
public sealed class WorkspaceLoopTests : WorkspaceSyncFixture
{
    [Fact]
    public async Task Batch_SendFailsMidBatch_NextSessionConverges()
    {
        _workspace.Write("a.txt", "a");
        await StartAsync();
        var first = _uplink.Connect();
        await WaitForDoneAsync();

        _uplink.FailSends = true;
        _workspace.Write("a.txt", "changed during the outage");
        Touch("a.txt");
        await Wait.UntilAsync(
            () => _uplink.Session is null,
            Wait.Generous,
            () => "the session to drop"
        );
        _uplink.FailSends = false;
        _uplink.Clear();
        _uplink.Connect();

        await WaitForDoneAsync();
        Assert.NotEqual(first, _uplink.Session);
        Assert.Equal(
            "changed during the outage",
            RecordingUplink.Text(_uplink.OfType(MessageTypes.FileCreateSync).Single())
        );
    }

    [Fact]
    public async Task PeriodicRescan_ChangeWithoutAnyEvent_SentAtTheNextReconciliation()
    {
        _workspace.Write("a.txt", "v1");
        var time = new TestTimeProvider();
        await StartAsync(
            new SyncOptions
            {
                BatchMilliseconds = 500,
                SettleMilliseconds = 10,
                RescanMinutes = 10,
            },
            time
        );
        _uplink.Connect();
        await WaitForDoneAsync();
        _uplink.Clear();

        _workspace.Write("a.txt", "v2, and the watcher missed it");
        time.Advance(TimeSpan.FromMinutes(9));
        Assert.Empty(_uplink.Sent);
        time.Advance(TimeSpan.FromMinutes(1));
        await Wait.UntilAsync(
            () =>
            {
                time.Advance(TimeSpan.FromMilliseconds(10)); // the batch's own settle delay
                return !_uplink.Sent.IsEmpty;
            },
            Wait.Generous,
            () => "the modify found by the periodic rescan"
        );

        Assert.Equal("v2, and the watcher missed it", RecordingUplink.Text(_uplink.Sent.Single()));
    }

    [Fact]
    public async Task OutOfMemoryInTheLoop_FaultsTheRegistrysFailure_SoTheHostEndsTheAgent()
    {
        _workspace.Write("a.txt", "a");
        var registry = new WorkspaceRegistry(
            Microsoft.Extensions.Options.Options.Create(
                new SyncOptions
                {
                    BatchMilliseconds = 20,
                    SettleMilliseconds = 0,
                    RescanMinutes = 0,
                }
            ),
            new OutOfMemoryUplink(_uplink),
            _watchers,
            TimeProvider.System,
            NullLoggerFactory.Instance
        );
        await using (registry)
        {
            Assert.NotNull((await registry.AddAsync(Root)).Workspace);
            Assert.False(registry.Failure.IsCompleted);

            _uplink.Connect();

            await Assert.ThrowsAsync<OutOfMemoryException>(() =>
                registry.Failure.WaitAsync(Wait.Generous)
            );
        }
    }

    /// <summary>Runs out of memory on the first send, as a huge allocation would.</summary>
    private sealed class OutOfMemoryUplink(RecordingUplink inner) : FileSync.Edge.Uplink.IUplink
    {
        public FileSync.Edge.Uplink.UplinkSession? Session => inner.Session;

        public event Action? SessionChanged
        {
            add => inner.SessionChanged += value;
            remove => inner.SessionChanged -= value;
        }

        public ValueTask<bool> SendAsync(
            FileSync.Edge.Uplink.UplinkSession session,
            ReadOnlyMemory<byte> frame,
            CancellationToken cancellationToken = default
        ) => throw new OutOfMemoryException("test: out of memory");
    }
}
