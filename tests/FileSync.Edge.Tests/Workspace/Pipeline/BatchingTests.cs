using FileSync.Edge.Tests.Infrastructure;
using FileSync.Edge.Workspace;
using FileSync.Protocol;

namespace FileSync.Edge.Tests.Workspace.Pipeline;

/// <summary>
/// When changes are sent (DirtySet and BatchClock, through the facade): writes coalesced into one send,
/// a lone change flushed after the settle or at once when known complete, bursts in few batches, and a
/// change that arrives while a batch is sending left for the next one.
/// </summary>
public sealed class BatchingTests : WorkspaceSyncFixture
{
    [Fact]
    public async Task Batch_SeveralWritesOneFile_SendsOneModifyWithFinalContent()
    {
        _workspace.Write("a.txt", "v0");
        var time = new TestTimeProvider();
        await StartAsync(DefaultTiming(), time);
        _uplink.Connect();
        await WaitForDoneAsync();
        _uplink.Clear();

        for (var i = 1; i <= 5; i++)
        {
            _workspace.Write("a.txt", $"v{i}");
            Touch("a.txt");
        }
        await time.WaitForTimersAsync();
        time.Advance(TimeSpan.FromMilliseconds(500));

        await Wait.UntilAsync(() => !_uplink.Sent.IsEmpty, Wait.Generous, () => "a modify");
        var modify = Assert.Single(_uplink.Sent);
        Assert.Equal(MessageTypes.FileModifySync, modify.Type);
        Assert.Equal("v5", RecordingUplink.Text(modify));
    }

    [Fact]
    public async Task Batch_LoneChangeAfterQuiet_FlushedAfterSettleNotBatchInterval()
    {
        _workspace.Write("a.txt", "v0");
        var time = await StartSyncedAndQuietAsync();

        _workspace.Write("a.txt", "v1");
        Touch("a.txt");
        await time.WaitForTimersAsync();
        Assert.Empty(_uplink.Sent);
        time.Advance(TimeSpan.FromMilliseconds(10));

        await Wait.UntilAsync(
            () => !_uplink.Sent.IsEmpty,
            Wait.Generous,
            () => "the modify after the settle"
        );
        Assert.Equal("v1", RecordingUplink.Text(_uplink.Sent.Single()));
    }

    [Fact]
    public async Task Batch_LoneChangeKnownComplete_FlushedWithoutWaitingForTheSettle()
    {
        _workspace.Write("a.txt", "v0");
        var time = await StartSyncedAndQuietAsync();

        _workspace.Write("a.txt", "v1");
        Touch("a.txt"); // written to: maybe more to come
        Watcher.RaiseCompleted(Path.Combine(Root, "a.txt")); // closed after writing: complete

        // The clock does not move: only a flush that skips the settle can send it.
        await Wait.UntilAsync(
            () => !_uplink.Sent.IsEmpty,
            Wait.Generous,
            () => "the modify without a settle"
        );
        Assert.Equal("v1", RecordingUplink.Text(_uplink.Sent.Single()));
    }

    [Fact]
    public async Task Batch_OneFileCompleteAnotherStillWritten_WaitsForTheSettle()
    {
        _workspace.Write("a.txt", "v0");
        _workspace.Write("b.txt", "v0");
        var time = await StartSyncedAndQuietAsync();

        _workspace.Write("b.txt", "v1");
        Touch("b.txt"); // still open for writing, as far as anyone knows
        _workspace.Write("a.txt", "v1");
        Watcher.RaiseCompleted(Path.Combine(Root, "a.txt"));
        await time.WaitForTimersAsync();
        Assert.Empty(_uplink.Sent);

        time.Advance(TimeSpan.FromMilliseconds(10));
        await Wait.UntilAsync(
            () => _uplink.Sent.Count == 2,
            Wait.Generous,
            () => "both after the settle"
        );
    }

    [Fact]
    public async Task Batch_ThousandChangesOverTwoSeconds_AtMostFiveBatches()
    {
        var time = new TestTimeProvider();
        var manager = await StartAsync(DefaultTiming(), time);
        _uplink.Connect();
        await WaitForDoneAsync();
        time.Advance(TimeSpan.FromSeconds(1));
        var batchesBefore = manager.BatchesWithSends;
        _uplink.Clear();

        for (var i = 0; i < 1000; i++)
        {
            _workspace.Write($"burst/f{i:D4}.txt", $"content {i}");
            Touch($"burst/f{i:D4}.txt");
            if (i % 100 == 99)
            {
                time.Advance(TimeSpan.FromMilliseconds(200)); // 1000 changes spread over 2 s
            }
        }
        await Wait.UntilAsync(
            () =>
            {
                time.Advance(TimeSpan.FromMilliseconds(100));
                return _uplink.OfType(MessageTypes.FileCreateSync).Count == 1000;
            },
            Wait.Generous,
            () => $"1000 creates, got {_uplink.OfType(MessageTypes.FileCreateSync).Count}"
        );

        Assert.InRange(manager.BatchesWithSends - batchesBefore, 1, 5);
        Assert.Equal(1000, _uplink.RelativePathsOf(MessageTypes.FileCreateSync).Distinct().Count());
        Assert.Equal(1000, _uplink.Sent.Count);
    }

    [Fact]
    public async Task Batch_ChangeArrivesWhileBatchIsSending_SentInTheNextBatch()
    {
        _workspace.Write("a.txt", "v0");
        var gated = new GatedUplink(_uplink);
        await StartAsync(uplink: gated);
        _uplink.Connect();
        await WaitForDoneAsync();
        _uplink.Clear();

        gated.Close();
        _workspace.Write("a.txt", "v1");
        Touch("a.txt");
        await gated.Blocked.OrTimeout(what: "the batch to block in its send");
        _workspace.Write("b.txt", "arrived mid-batch");
        Touch("b.txt");
        gated.Open();

        await Wait.UntilAsync(() => _uplink.Sent.Count >= 2, Wait.Generous, () => "both changes");
        Assert.Equal(["a.txt"], _uplink.RelativePathsOf(MessageTypes.FileModifySync));
        Assert.Equal(["b.txt"], _uplink.RelativePathsOf(MessageTypes.FileCreateSync));
    }

    /// <summary>Holds sends while closed, so a test can act in the middle of a batch.</summary>
    private sealed class GatedUplink(RecordingUplink inner) : FileSync.Edge.Uplink.IUplink
    {
        private TaskCompletionSource _open = CompletedSource();
        private readonly TaskCompletionSource _blocked = new(
            TaskCreationOptions.RunContinuationsAsynchronously
        );

        public Task Blocked => _blocked.Task;

        public FileSync.Edge.Uplink.UplinkSession? Session => inner.Session;

        public event Action? SessionChanged
        {
            add => inner.SessionChanged += value;
            remove => inner.SessionChanged -= value;
        }

        public void Close() =>
            _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Open() => _open.TrySetResult();

        public async ValueTask<bool> SendAsync(
            FileSync.Edge.Uplink.UplinkSession session,
            ReadOnlyMemory<byte> frame,
            CancellationToken cancellationToken = default
        )
        {
            if (!_open.Task.IsCompleted)
            {
                _blocked.TrySetResult();
                await _open.Task.WaitAsync(cancellationToken);
            }
            return await inner.SendAsync(session, frame, cancellationToken);
        }

        private static TaskCompletionSource CompletedSource()
        {
            var source = new TaskCompletionSource(
                TaskCreationOptions.RunContinuationsAsynchronously
            );
            source.SetResult();
            return source;
        }
    }
}
