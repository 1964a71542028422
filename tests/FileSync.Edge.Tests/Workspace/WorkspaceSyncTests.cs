using System.Security.Cryptography;
using System.Text;
using FileSync.Edge.Tests.Infrastructure;
using FileSync.Edge.Watching;
using FileSync.Edge.Workspace;
using FileSync.Protocol;
using Microsoft.Extensions.Logging.Abstractions;

namespace FileSync.Edge.Tests.Workspace;

/// <summary>
/// Logic of one workspace manager over real files, with the uplink and watcher replaced by test seams
/// so each test controls exactly which events arrive and when the connection exists.
/// </summary>
public sealed class WorkspaceSyncTests : IAsyncLifetime
{
    private readonly TempDirectory _workspace = new();
    private readonly RecordingUplink _uplink = new();
    private readonly FakeWorkspaceWatcherFactory _watchers = new();
    private WorkspaceSync? _manager;

    private string Root => _workspace.Path;

    private FakeWorkspaceWatcher Watcher => _watchers.Watchers.Values.Single();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_manager is not null)
        {
            await _manager.DisposeAsync();
        }
        _workspace.Dispose();
    }

    private async Task<WorkspaceSync> StartAsync(
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

    private Task WaitForDoneAsync(int count = 1) =>
        Wait.UntilAsync(
            () => _uplink.OfType(MessageTypes.FileDone).Count >= count,
            Wait.Generous,
            () => $"{count} file_done, got {_uplink.OfType(MessageTypes.FileDone).Count}"
        );

    /// <summary>
    /// Starts on a manual clock with the default batch (500 ms) and settle (10 ms), waits for the initial
    /// sync, forgets its messages and lets one quiet batch interval pass: the next change is a lone one.
    /// </summary>
    private async Task<TestTimeProvider> StartSyncedAndQuietAsync()
    {
        var time = new TestTimeProvider();
        await StartAsync(
            new SyncOptions
            {
                BatchMilliseconds = 500,
                SettleMilliseconds = 10,
                RescanMinutes = 0,
            },
            time
        );
        _uplink.Connect();
        await WaitForDoneAsync();
        _uplink.Clear();
        time.Advance(TimeSpan.FromSeconds(1));
        return time;
    }

    private void Touch(string relativePath) =>
        Watcher.RaiseChanged(Path.Combine(Root, relativePath));

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    [Fact]
    public async Task InitialSync_Connected_SendsEveryFilteredFileThenDone()
    {
        _workspace.Write("a.txt", "alpha");
        _workspace.Write("sub/deep/b.txt", "beta");
        _workspace.Write("node_modules/x.js", "ignored by the built-in excludes");
        _workspace.Write(".git/config", "never synced");
        await StartAsync();

        _uplink.Connect();
        await WaitForDoneAsync();

        var creates = _uplink.OfType(MessageTypes.FileCreateSync);
        Assert.Equal(
            ["a.txt", "sub/deep/b.txt"],
            creates
                .Select(m => m.Payload.GetProperty("relativePath").GetString())
                .Order(StringComparer.Ordinal)
        );
        var a = creates.Single(m => m.Payload.GetProperty("relativePath").GetString() == "a.txt");
        Assert.Equal("alpha", RecordingUplink.Text(a));
        Assert.Equal(Sha256("alpha"u8.ToArray()), a.Payload.GetProperty("hash").GetString());
        Assert.Equal(Path.Combine(Root, "a.txt"), a.Payload.GetProperty("path").GetString());
        Assert.Equal(Root, a.Payload.GetProperty("workspace").GetString());
        Assert.Equal("edge-test", a.Payload.GetProperty("edgeId").GetString());
        Assert.Equal("user-test", a.Payload.GetProperty("userId").GetString());
        Assert.Equal("utf8", a.Payload.GetProperty("encoding").GetString());
        var done = _uplink.OfType(MessageTypes.FileDone).Single();
        Assert.Equal(2, RecordingUplink.Stats(done).GetProperty("filesSynced").GetInt32());
        Assert.Equal(9, RecordingUplink.Stats(done).GetProperty("bytesSynced").GetInt64());
        Assert.Equal(MessageTypes.FileDone, _uplink.Sent.Last().Type);
    }

    [Fact]
    public async Task InitialSync_SizeLimitAndBinary_SkipsAndCountsThem()
    {
        File.WriteAllBytes(
            Path.Combine(Root, "exact.txt"),
            Encoding.ASCII.GetBytes(new string('x', 102_400))
        );
        File.WriteAllBytes(
            Path.Combine(Root, "over.txt"),
            Encoding.ASCII.GetBytes(new string('x', 102_401))
        );
        File.WriteAllBytes(
            Path.Combine(Root, "image.png"),
            [0x89, 0x50, 0x4E, 0x47, 0x00, 0x01, 0x02]
        );
        var latin1 = new byte[] { 0x63, 0x61, 0x66, 0xE9 }; // "café" in Latin-1: not UTF-8, not binary
        File.WriteAllBytes(Path.Combine(Root, "latin1.txt"), latin1);
        var manager = await StartAsync();

        // A server with capabilities decodes base64: the Latin-1 text goes, never mangled.
        _uplink.Connect(["manifest"]);
        await Wait.UntilAsync(
            () => _uplink.OfType(MessageTypes.Manifest).Count > 0,
            Wait.Generous,
            () => "the manifest"
        );
        manager.OnManifestDiff(
            new ManifestDiffPayload { Path = Root, Need = ["exact.txt", "latin1.txt"] }
        );
        await WaitForDoneAsync();

        var creates = _uplink.OfType(MessageTypes.FileCreateSync);
        Assert.Equal(
            ["exact.txt", "latin1.txt"],
            creates
                .Select(m => m.Payload.GetProperty("relativePath").GetString())
                .Order(StringComparer.Ordinal)
        );
        var encoded = creates.Single(m =>
            m.Payload.GetProperty("relativePath").GetString() == "latin1.txt"
        );
        Assert.Equal("base64", encoded.Payload.GetProperty("encoding").GetString());
        Assert.Equal(latin1, Convert.FromBase64String(RecordingUplink.Text(encoded)));
        var stats = RecordingUplink.Stats(_uplink.OfType(MessageTypes.FileDone).Single());
        Assert.Equal(2, stats.GetProperty("filesSkipped").GetInt32());
        Assert.Equal(2, stats.GetProperty("filesSynced").GetInt32());
        Assert.Equal(2, stats.GetProperty("files_skipped").GetInt32());
        Assert.Equal(2, stats.GetProperty("files_synced").GetInt32());
        Assert.Equal(102_404, stats.GetProperty("bytes_synced").GetInt64());
        Assert.Equal(0, stats.GetProperty("sync_errors").GetInt32());

        // A server without capabilities stores text only: the same file is skipped there, and named.
        _uplink.Clear();
        _uplink.Connect();
        await WaitForDoneAsync();
        Assert.Equal(["exact.txt"], _uplink.RelativePathsOf(MessageTypes.FileCreateSync));
        Assert.Equal(
            3,
            RecordingUplink
                .Stats(_uplink.OfType(MessageTypes.FileDone).Single())
                .GetProperty("files_skipped")
                .GetInt32()
        );
        Assert.Contains(
            manager.GetStatus().SkippedFiles!,
            f => f.Path == "latin1.txt" && f.Reason == SkipReasons.NotUtf8
        );
    }

    [Fact]
    public async Task InitialSync_NamedPipeInWorkspace_NeitherBlocksNorSyncs()
    {
        File.WriteAllText(Path.Combine(Root, "a.txt"), "a");
        await FileContentReaderTests.MakeFifoAsync(Path.Combine(Root, "pipe"));
        File.WriteAllText(Path.Combine(Root, "z.txt"), "z");
        await StartAsync();

        _uplink.Connect();
        await WaitForDoneAsync(); // a worker stuck opening the FIFO would never let the sync finish

        Assert.Equal(
            ["a.txt", "z.txt"],
            _uplink.RelativePathsOf(MessageTypes.FileCreateSync).Order(StringComparer.Ordinal)
        );
    }

    [Fact]
    public async Task InitialSync_LimitAboveOneFrame_EachMessageFitsOrTheFileIsSkipped()
    {
        var escaped = Encoding.ASCII.GetBytes(new string('\u0001', 2 * 1024 * 1024)); // valid UTF-8, six bytes each as JSON text
        File.WriteAllBytes(Path.Combine(Root, "escaped.txt"), escaped);
        var plain = Encoding.ASCII.GetBytes(new string('x', 4 * 1024 * 1024));
        File.WriteAllBytes(Path.Combine(Root, "plain.txt"), plain);
        File.WriteAllBytes(
            Path.Combine(Root, "huge.txt"),
            Encoding.ASCII.GetBytes(new string('y', 6 * 1024 * 1024))
        );
        await StartAsync(
            new SyncOptions
            {
                BatchMilliseconds = 20,
                SettleMilliseconds = 0,
                RescanMinutes = 0,
                MaxFileBytes = 8 * 1024 * 1024,
            }
        );

        _uplink.Connect();
        await WaitForDoneAsync();

        Assert.InRange(_uplink.LargestFrameBytes, 1, ProtocolMessage.MaxFrameBytes);
        var creates = _uplink
            .OfType(MessageTypes.FileCreateSync)
            .ToDictionary(m => m.Payload.GetProperty("relativePath").GetString()!);
        Assert.Equal(["escaped.txt", "plain.txt"], creates.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("base64", creates["escaped.txt"].Payload.GetProperty("encoding").GetString());
        Assert.Equal(
            escaped,
            Convert.FromBase64String(RecordingUplink.Text(creates["escaped.txt"]))
        );
        Assert.Equal("utf8", creates["plain.txt"].Payload.GetProperty("encoding").GetString());
        var stats = RecordingUplink.Stats(_uplink.OfType(MessageTypes.FileDone).Single());
        Assert.Equal(1, stats.GetProperty("filesSkipped").GetInt32());
        Assert.Equal(2, stats.GetProperty("filesSynced").GetInt32());
    }

    [Fact]
    public async Task Batch_SeveralWritesOneFile_SendsOneModifyWithFinalContent()
    {
        _workspace.Write("a.txt", "v0");
        var time = new TestTimeProvider();
        await StartAsync(
            new SyncOptions
            {
                BatchMilliseconds = 500,
                SettleMilliseconds = 10,
                RescanMinutes = 0,
            },
            time
        );
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
        var manager = await StartAsync(
            new SyncOptions
            {
                BatchMilliseconds = 500,
                SettleMilliseconds = 10,
                RescanMinutes = 0,
            },
            time
        );
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
    public async Task Batch_ContentUnchangedButTouched_SendsNothing()
    {
        _workspace.Write("a.txt", "same");
        await StartAsync();
        _uplink.Connect();
        await WaitForDoneAsync();
        _uplink.Clear();

        File.SetLastWriteTimeUtc(Path.Combine(Root, "a.txt"), DateTime.UtcNow.AddMinutes(1));
        _workspace.Write("b.txt", "marker");
        Touch("a.txt");
        Touch("b.txt");

        await Wait.UntilAsync(
            () => _uplink.Sent.Count >= 1,
            Wait.Generous,
            () => "the marker create"
        );
        Assert.Equal(
            ["b.txt"],
            _uplink.Sent.Select(m => m.Payload.GetProperty("relativePath").GetString())
        );
        Assert.Equal(3, _manager!.FilesRead); // a.txt at the initial sync and again to compare hashes after the touch; b.txt once
    }

    [Fact]
    public async Task Batch_DirectoryDeletedWithOneEvent_DeletesEveryFileUnderIt()
    {
        _workspace.Write("keep.txt", "k");
        _workspace.Write("dir/a.txt", "a");
        _workspace.Write("dir/sub/b.txt", "b");
        _workspace.Write("dir/sub/c.txt", "c");
        await StartAsync();
        _uplink.Connect();
        await WaitForDoneAsync();
        _uplink.Clear();

        Directory.Delete(Path.Combine(Root, "dir"), recursive: true);
        Touch("dir");

        await Wait.UntilAsync(() => _uplink.Sent.Count >= 3, Wait.Generous, () => "three deletes");
        Assert.Equal(
            ["dir/a.txt", "dir/sub/b.txt", "dir/sub/c.txt"],
            _uplink.RelativePathsOf(MessageTypes.FileDeleteSync).Order(StringComparer.Ordinal)
        );
        Assert.All(_uplink.Sent, m => Assert.Equal(MessageTypes.FileDeleteSync, m.Type));
    }

    [Fact]
    public async Task Batch_NewDirectoryReportedAlone_SendsFilesCreatedBeforeItsWatch()
    {
        await StartAsync();
        _uplink.Connect();
        await WaitForDoneAsync();
        _uplink.Clear();

        _workspace.Write("fresh/one.txt", "1");
        _workspace.Write("fresh/nested/two.txt", "2");
        Touch("fresh"); // only the directory's own event: its files appeared before any watch on it

        await Wait.UntilAsync(() => _uplink.Sent.Count >= 2, Wait.Generous, () => "two creates");
        Assert.Equal(
            ["fresh/nested/two.txt", "fresh/one.txt"],
            _uplink.RelativePathsOf(MessageTypes.FileCreateSync).Order(StringComparer.Ordinal)
        );
    }

    [Fact]
    public async Task Batch_RenameOfFile_DeletesOldPathCreatesNew()
    {
        _workspace.Write("old.txt", "moved content");
        await StartAsync();
        _uplink.Connect();
        await WaitForDoneAsync();
        _uplink.Clear();

        File.Move(Path.Combine(Root, "old.txt"), Path.Combine(Root, "new.txt"));
        Touch("new.txt"); // the two halves may arrive in any order, or one may be late
        Touch("old.txt");

        await Wait.UntilAsync(
            () => _uplink.Sent.Count >= 2,
            Wait.Generous,
            () => "delete + create"
        );
        Assert.Equal(["old.txt"], _uplink.RelativePathsOf(MessageTypes.FileDeleteSync));
        Assert.Equal(["new.txt"], _uplink.RelativePathsOf(MessageTypes.FileCreateSync));
    }

    [Fact]
    public async Task InitialSync_OverFileLimit_RefusesWithSyncErrorAndSendsNoFiles()
    {
        for (var i = 0; i < 11; i++)
        {
            _workspace.Write($"f{i}.txt", "x");
        }
        var manager = await StartAsync(
            new SyncOptions
            {
                MaxFiles = 10,
                BatchMilliseconds = 20,
                RescanMinutes = 0,
            }
        );

        _uplink.Connect();
        await manager.InitialSyncCompleted.OrTimeout();

        var error = Assert.Single(_uplink.Sent);
        Assert.Equal(MessageTypes.SyncError, error.Type);
        Assert.Equal("too_many_files", error.Payload.GetProperty("code").GetString());
        Assert.Equal(11, error.Payload.GetProperty("count").GetInt32());
        Assert.Equal(10, error.Payload.GetProperty("limit").GetInt32());
        Assert.Contains(".aishignore", error.Payload.GetProperty("message").GetString());
        Assert.Equal(WorkspaceState.Refused, manager.State);
    }

    [Fact]
    public async Task Refused_AishignoreBringsCountUnderLimit_SyncsWorkspace()
    {
        for (var i = 0; i < 11; i++)
        {
            _workspace.Write($"gen/f{i}.txt", "x");
        }
        _workspace.Write("main.txt", "m");
        var manager = await StartAsync(
            new SyncOptions
            {
                MaxFiles = 10,
                BatchMilliseconds = 20,
                RescanMinutes = 0,
            }
        );
        _uplink.Connect();
        await manager.InitialSyncCompleted.OrTimeout();
        Assert.Equal(WorkspaceState.Refused, manager.State);

        _workspace.Write(".aishignore", "gen/\n");
        Touch(".aishignore");

        await WaitForDoneAsync();
        Assert.Equal(
            [".aishignore", "main.txt"],
            _uplink.RelativePathsOf(MessageTypes.FileCreateSync).Order(StringComparer.Ordinal)
        );
        Assert.Equal(WorkspaceState.Watching, manager.State);
    }

    [Fact]
    public async Task Reconnect_LegacyServer_ResendsEverythingAndDeletesWhatVanishedOffline()
    {
        _workspace.Write("a.txt", "a");
        _workspace.Write("b.txt", "b");
        await StartAsync();
        _uplink.Connect();
        await WaitForDoneAsync();

        _uplink.Disconnect();
        _workspace.Write("a.txt", "a changed offline");
        File.Delete(Path.Combine(Root, "b.txt"));
        _workspace.Write("c.txt", "created offline");
        Touch("a.txt");
        Touch("b.txt");
        Touch("c.txt");
        _uplink.Clear();
        _uplink.Connect();

        await WaitForDoneAsync();
        Assert.Equal(
            ["a.txt", "c.txt"],
            _uplink.RelativePathsOf(MessageTypes.FileCreateSync).Order(StringComparer.Ordinal)
        );
        Assert.Equal(["b.txt"], _uplink.RelativePathsOf(MessageTypes.FileDeleteSync));
        Assert.Equal(
            "a changed offline",
            RecordingUplink.Text(
                _uplink
                    .OfType(MessageTypes.FileCreateSync)
                    .Single(m => m.Payload.GetProperty("relativePath").GetString() == "a.txt")
            )
        );
    }

    [Fact]
    public async Task Reconnect_ManifestServer_SendsOnlyWhatTheServerNeeds()
    {
        _workspace.Write("a.txt", "a");
        _workspace.Write("b.txt", "b");
        var manager = await StartAsync();
        _uplink.Connect([Capabilities.Manifest]);

        await Wait.UntilAsync(
            () => _uplink.OfType(MessageTypes.Manifest).Count == 1,
            Wait.Generous,
            () => "a manifest"
        );
        var manifest = _uplink.OfType(MessageTypes.Manifest).Single();
        Assert.Equal(2, manifest.Payload.GetProperty("files").GetArrayLength());
        Assert.Empty(_uplink.OfType(MessageTypes.FileCreateSync));
        Assert.Equal(0, manager.FilesRead - 2); // hashed once each, contents not re-read yet
        manager.OnManifestDiff(new ManifestDiffPayload { Path = Root, Need = ["b.txt"] });

        await WaitForDoneAsync();
        Assert.Equal(["b.txt"], _uplink.RelativePathsOf(MessageTypes.FileCreateSync));
    }

    [Fact]
    public async Task Manifest_ChangesWhileWaitingForTheDiff_AreSentAfterIt()
    {
        _workspace.Write("a.txt", "a");
        _workspace.Write("b.txt", "b");
        _workspace.Write("c.txt", "c");
        var manager = await StartAsync();
        _uplink.Connect([Capabilities.Manifest]);
        await Wait.UntilAsync(
            () => _uplink.OfType(MessageTypes.Manifest).Count == 1,
            Wait.Generous,
            () => "a manifest"
        );

        // The server has not answered yet: the workspace keeps changing.
        _workspace.Write("a.txt", "a changed during the exchange");
        Touch("a.txt");
        _workspace.Write("d.txt", "created during the exchange");
        Touch("d.txt");
        File.Delete(Path.Combine(Root, "c.txt"));
        Touch("c.txt");
        manager.OnManifestDiff(new ManifestDiffPayload { Path = Root, Need = ["b.txt"] });

        await WaitForDoneAsync();
        await Wait.UntilAsync(
            () =>
                _uplink.RelativePathsOf(MessageTypes.FileDeleteSync).Contains("c.txt")
                && _uplink.RelativePathsOf(MessageTypes.FileModifySync).Contains("a.txt"),
            Wait.Generous,
            () =>
                $"the changes made during the exchange; sent {string.Join(", ", _uplink.Sent.Select(m => m.Type))}"
        );
        var mirror = MessageMirror.Apply(
            _uplink.Sent,
            initial: new Dictionary<string, string>
            {
                ["a.txt"] = "a",
                ["b.txt"] = "b",
                ["c.txt"] = "c",
            }
        );
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["a.txt"] = "a changed during the exchange",
                ["b.txt"] = "b",
                ["d.txt"] = "created during the exchange",
            },
            mirror.ToDictionary(f => f.Key, f => Encoding.UTF8.GetString(f.Value))
        );
    }

    [Fact]
    public async Task Manifest_MoreThanOneFrameOfEntries_SentInChunksLastOneMarked()
    {
        for (var i = 0; i < 4001; i++)
        {
            _workspace.Write($"d{i % 20}/f{i}.txt", "x");
        }
        var manager = await StartAsync(
            new SyncOptions
            {
                MaxFiles = 10_000,
                BatchMilliseconds = 20,
                RescanMinutes = 0,
            }
        );
        _uplink.Connect([Capabilities.Manifest]);

        await Wait.UntilAsync(
            () => _uplink.OfType(MessageTypes.Manifest).Count == 2,
            Wait.Generous,
            () => "two manifest chunks"
        );
        var chunks = _uplink.OfType(MessageTypes.Manifest);
        Assert.Equal([0, 1], chunks.Select(c => c.Payload.GetProperty("chunk").GetInt32()));
        Assert.Equal([false, true], chunks.Select(c => c.Payload.GetProperty("last").GetBoolean()));
        Assert.Equal(4001, chunks.Sum(c => c.Payload.GetProperty("files").GetArrayLength()));
        Assert.All(
            chunks,
            c =>
                Assert.True(
                    System.Text.Encoding.UTF8.GetByteCount(c.Payload.GetRawText()) < 1024 * 1024
                )
        );
        manager.OnManifestDiff(new ManifestDiffPayload { Path = Root, Need = [] });
        await WaitForDoneAsync();
        Assert.Empty(_uplink.OfType(MessageTypes.FileCreateSync));
    }

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
    public async Task WatchLimitReached_WarnsOnceNamingTheSysctlAndPollsInstead()
    {
        _workspace.Write("a.txt", "a");
        var time = new TestTimeProvider();
        var logger = new LogSink();
        await StartAsync(
            new SyncOptions
            {
                BatchMilliseconds = 500,
                SettleMilliseconds = 10,
                RescanMinutes = 0,
            },
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

    /// <summary>A watcher factory whose watchers cannot start (as when inotify is out of watches).</summary>
    private sealed class ThrowingWatcherFactory(Exception failure)
        : FileSync.Edge.Watching.IWorkspaceWatcherFactory
    {
        public FileSync.Edge.Watching.IWorkspaceWatcher Create(
            string rootPath,
            Func<string, bool> isExcludedDirectory
        ) => throw failure;
    }

    [Fact]
    public async Task ServerRejectsAFile_CountedAtOnceAndSentAgainWithGrowingBackoffUntilApplied()
    {
        _workspace.Write("a.txt", "a");
        _workspace.Write("b.txt", "b");
        var time = new TestTimeProvider();
        var manager = await StartAsync(
            new SyncOptions
            {
                BatchMilliseconds = 500,
                SettleMilliseconds = 10,
                RescanMinutes = 0,
            },
            time
        );
        _uplink.Connect();
        await WaitForDoneAsync();

        var gaps = new List<TimeSpan>();
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            _uplink.Clear();
            manager.OnServerRejected("a.txt", "write_failed", "disk full");
            manager.OnServerRejected(
                "../outside.txt",
                "write_failed",
                "a path this agent never sends: ignored"
            );
            await AdvanceUntilAsync(
                time,
                () => manager.GetStatus().Errors == 1,
                $"the error counted at once ({attempt})"
            );
            var rejectedAt = time.GetTimestamp();
            await AdvanceUntilAsync(time, () => !_uplink.Sent.IsEmpty, $"resend {attempt}");
            gaps.Add(time.GetElapsedTime(rejectedAt));
            var resent = Assert.Single(_uplink.Sent);
            Assert.Equal("a.txt", resent.Payload.GetProperty("relativePath").GetString());
            Assert.Equal("a", RecordingUplink.Text(resent));
            Assert.Equal(1, manager.GetStatus().Errors);
            Assert.Contains("disk full", manager.GetStatus().ErrorFiles![0].Reason);
        }
        // 1, 2, 4, 8, 16 s (each within the batch interval and the clock's step), and never given up.
        for (var i = 0; i < gaps.Count; i++)
        {
            Assert.InRange(gaps[i].TotalSeconds, 1 << i, (1 << i) + 1.5);
        }

        // The last send is not rejected: once the server has been silent about it, it counts as applied.
        await AdvanceUntilAsync(time, () => manager.GetStatus().Errors == 0, "the error cleared");
        _workspace.Write("b.txt", "b2");
        Touch("b.txt");
        _uplink.Clear();
        await AdvanceUntilAsync(time, () => !_uplink.Sent.IsEmpty, "the next change");
        Assert.Equal(
            ["b.txt"],
            _uplink.Sent.Select(m => m.Payload.GetProperty("relativePath").GetString())
        );
    }

    /// <summary>Moves the manual clock on in small steps until <paramref name="condition"/> holds.</summary>
    private static async Task AdvanceUntilAsync(
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
