using System.Diagnostics;
using System.Text;
using FileSync.Edge.Tests.Infrastructure;
using FileSync.Edge.Watching;
using FileSync.Edge.Workspace;
using FileSync.Protocol;
using Microsoft.Extensions.Logging.Abstractions;

namespace FileSync.Edge.Tests.Workspace;

/// <summary>
/// Nothing diverges silently: same-size edits with a restored mtime, files the server could not apply,
/// names the protocol cannot carry, a workspace over the file limit that shrinks, a root swapped for a
/// link. Real files; the uplink is a recording seam and the watcher is real or fake per test.
/// </summary>
public sealed class IntegrityTests : IAsyncLifetime
{
    private readonly TempDirectory _parent = new();
    private readonly RecordingUplink _uplink = new();
    private readonly FakeWorkspaceWatcherFactory _fakeWatchers = new();
    private WorkspaceSync? _manager;

    private string Root => Path.Combine(_parent.Path, "ws");

    private string StateDirectory => Path.Combine(_parent.Path, "state");

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(Root);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_manager is not null)
        {
            await _manager.DisposeAsync();
        }
        _parent.Dispose();
    }

    private string Write(string relativePath, string content)
    {
        var full = Path.Combine(Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        return full;
    }

    /// <summary>Rewrites a file with new bytes of the same length and puts its old mtime back (as cp -p, rsync -t, tar x do).</summary>
    private static void SameSizeEditRestoringMtime(string full, string content)
    {
        var mtime = File.GetLastWriteTimeUtc(full);
        Assert.Equal(new FileInfo(full).Length, Encoding.UTF8.GetByteCount(content));
        File.WriteAllText(full, content);
        File.SetLastWriteTimeUtc(full, mtime);
        Assert.Equal(mtime, File.GetLastWriteTimeUtc(full));
    }

    /// <summary>Makes a file look old, so its entry is not "racy" and only its ctime can tell a change.</summary>
    private static void Age(string full) =>
        File.SetLastWriteTimeUtc(full, DateTime.UtcNow.AddMinutes(-10));

    private async Task<WorkspaceSync> StartAsync(
        bool realWatcher = false,
        int maxFiles = 2000,
        bool persistIndex = false
    )
    {
        var options = new SyncOptions
        {
            BatchMilliseconds = 20,
            SettleMilliseconds = 0,
            RescanMinutes = 0,
            MaxFiles = maxFiles,
        };
        IWorkspaceWatcherFactory watchers = realWatcher
            ? new WorkspaceWatcherFactory(NullLoggerFactory.Instance)
            : _fakeWatchers;
        _manager = new WorkspaceSync(
            Root,
            options,
            _uplink,
            watchers,
            TimeProvider.System,
            NullLogger.Instance,
            indexStore: persistIndex ? new WorkspaceIndexStore(StateDirectory) : null
        );
        await _manager.StartAsync();
        return _manager;
    }

    private async Task StopAsync()
    {
        await _manager!.DisposeAsync();
        _manager = null;
        _uplink.Disconnect();
    }

    private Task WaitForDoneAsync(int count = 1) =>
        Wait.UntilAsync(
            () => _uplink.OfType(MessageTypes.FileDone).Count >= count,
            Wait.Generous,
            () => $"{count} file_done"
        );

    private Dictionary<string, byte[]> ServerCopy => MessageMirror.Apply(_uplink.Sent);

    private Task ServerHasAsync(string relativePath, string content) =>
        Wait.UntilAsync(
            () =>
                ServerCopy.TryGetValue(relativePath, out var bytes)
                && Encoding.UTF8.GetString(bytes) == content,
            Wait.Generous,
            () => $"the server's copy of {relativePath} to be '{content}'"
        );

    private FakeWorkspaceWatcher FakeWatcher => _fakeWatchers.Watchers.Values.Last();

    [Fact]
    public async Task SameSizeEditWithRestoredMtime_ChangeNotified_ContentSent()
    {
        var full = Write("a.txt", "version-1");
        Age(full);
        await StartAsync();
        _uplink.Connect();
        await WaitForDoneAsync();

        SameSizeEditRestoringMtime(full, "version-2");
        FakeWatcher.RaiseChanged(full);

        await ServerHasAsync("a.txt", "version-2");
    }

    [Fact]
    public async Task SameSizeEditWithRestoredMtime_WhileStopped_SentAfterRestart()
    {
        var full = Write("a.txt", "version-1");
        Age(full);
        await StartAsync(persistIndex: true);
        _uplink.Connect();
        await WaitForDoneAsync();
        await StopAsync();

        SameSizeEditRestoringMtime(full, "version-2");
        _uplink.Clear();
        await StartAsync(persistIndex: true);
        // A manifest server: what the agent believes the file holds shows in the manifest (a legacy one re-sends everything anyway).
        _uplink.Connect(["manifest"]);
        await Wait.UntilAsync(
            () => _uplink.OfType(MessageTypes.Manifest).Count > 0,
            Wait.Generous,
            () => "the manifest"
        );

        var entry = _uplink
            .OfType(MessageTypes.Manifest)
            .Single()
            .Payload.GetProperty("files")
            .EnumerateArray()
            .Single();
        Assert.Equal(
            Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("version-2"u8)),
            entry.GetProperty("hash").GetString()
        );
    }

    [Fact]
    public async Task SameSizeEditWithRestoredMtime_NoEvent_SentByResyncAndByRescan()
    {
        var a = Write("a.txt", "version-1");
        var b = Write("b.txt", "version-1");
        Age(a);
        Age(b);
        await StartAsync();
        _uplink.Connect(["manifest"]);
        await Wait.UntilAsync(
            () => _uplink.OfType(MessageTypes.Manifest).Count > 0,
            Wait.Generous,
            () => "the manifest"
        );
        _manager!.OnManifestDiff(
            new ManifestDiffPayload { Path = Root, Need = ["a.txt", "b.txt"] }
        );
        await WaitForDoneAsync();

        SameSizeEditRestoringMtime(a, "version-2");
        _manager.RequestRescan(); // the periodic reconciliation
        await ServerHasAsync("a.txt", "version-2");

        SameSizeEditRestoringMtime(b, "version-2");
        _manager.RequestResync(); // workspace:resync
        await Wait.UntilAsync(
            () => _uplink.OfType(MessageTypes.Manifest).Count > 1,
            Wait.Generous,
            () => "the resync's manifest"
        );
        var manifest = _uplink.OfType(MessageTypes.Manifest).Last();
        var entry = manifest
            .Payload.GetProperty("files")
            .EnumerateArray()
            .Single(f => f.GetProperty("relativePath").GetString() == "b.txt");
        Assert.Equal(
            Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("version-2"u8)),
            entry.GetProperty("hash").GetString()
        );
    }

    [Fact]
    public void FileEntry_RecordedWithinTheRacyWindowOfItsMtime_IsNotConclusive()
    {
        var mtime = new DateTime(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc).Ticks;
        var stamp = new FileStamp(FileKind.RegularFile, 10, mtime, mtime, 42);
        var racy = new FileEntry(
            10,
            mtime,
            "h",
            mtime,
            42,
            mtime + TimeSpan.FromMilliseconds(300).Ticks
        );
        var settled = racy with { RecordedTicks = mtime + TimeSpan.FromSeconds(5).Ticks };

        Assert.True(racy.IsRacy);
        Assert.False(racy.IsConclusiveMatch(stamp));
        Assert.True(settled.IsConclusiveMatch(stamp));
        Assert.False(settled.IsConclusiveMatch(stamp with { CtimeTicks = mtime + 1 }));
        Assert.False(settled.IsConclusiveMatch(stamp with { FileId = 43 }));
        Assert.False(settled.IsConclusiveMatch(stamp with { Size = 11 }));
        Assert.False((settled with { RecordedTicks = 0 }).IsConclusiveMatch(stamp));

        // Sub-second timestamps: a tenth of a second is enough to be past the file system's clock tick.
        var fine = mtime + 1234;
        var fineEntry = new FileEntry(
            10,
            fine,
            "h",
            fine,
            42,
            fine + TimeSpan.FromMilliseconds(300).Ticks
        );
        Assert.False(fineEntry.IsRacy);
        Assert.True(
            (fineEntry with { RecordedTicks = fine + TimeSpan.FromMilliseconds(50).Ticks }).IsRacy
        );
    }

    [Fact]
    public async Task ServerRejection_Transient_CountedByNameRetriedAndClearedOnceApplied()
    {
        Write("full-disk.txt", "content");
        await StartAsync();
        _uplink.Connect();
        await WaitForDoneAsync();
        var sends =
            _uplink.RelativePathsOf(MessageTypes.FileCreateSync).Count
            + _uplink.RelativePathsOf(MessageTypes.FileModifySync).Count;

        _manager!.OnServerRejected(
            "full-disk.txt",
            ErrorCodes.WriteFailed,
            "No space left on device"
        );

        await Wait.UntilAsync(
            () => _manager.GetStatus().Errors == 1,
            Wait.Generous,
            () => "one error in status"
        );
        var status = _manager.GetStatus();
        Assert.Equal("full-disk.txt", Assert.Single(status.ErrorFiles!).Path);
        Assert.Contains("No space left on device", status.ErrorFiles![0].Reason);
        // Sent again after the backoff, and forgotten as an error once the server stays silent about it.
        await Wait.UntilAsync(
            () =>
                _uplink.RelativePathsOf(MessageTypes.FileCreateSync).Count
                    + _uplink.RelativePathsOf(MessageTypes.FileModifySync).Count
                > sends,
            Wait.Generous,
            () => "the file sent again"
        );
        await Wait.UntilAsync(
            () => _manager.GetStatus().Errors == 0,
            Wait.Generous,
            () => "the error cleared after the server accepted the retry"
        );
    }

    [Fact]
    public async Task ServerRejection_Permanent_NotRetriedUntilTheFileChanges()
    {
        var full = Write("name.txt", "content");
        await StartAsync();
        _uplink.Connect();
        await WaitForDoneAsync();
        _uplink.Clear();

        _manager!.OnServerRejected(
            "name.txt",
            ErrorCodes.UnsupportedName,
            "name not representable on Windows"
        );
        await Wait.UntilAsync(
            () => _manager.GetStatus().Errors == 1,
            Wait.Generous,
            () => "one error in status"
        );
        var stillCounted = Stopwatch.StartNew();
        while (stillCounted.Elapsed < RejectionTracker.ConfirmWindow + TimeSpan.FromSeconds(2))
        {
            Assert.Equal(1, _manager.GetStatus().Errors);
            Assert.Empty(_uplink.RelativePathsOf(MessageTypes.FileModifySync));
            await Task.Delay(100);
        }

        File.WriteAllText(full, "changed content");
        FakeWatcher.RaiseChanged(full);
        await ServerHasAsync("name.txt", "changed content");
    }

    [Fact]
    public async Task ManifestDiff_RefusedEntries_CountedAsErrorsNotAsSynced()
    {
        Write("ok.txt", "fine");
        Write("refused.txt", "the server cannot store this name");
        await StartAsync();
        _uplink.Connect(["manifest"]);
        await Wait.UntilAsync(
            () => _uplink.OfType(MessageTypes.Manifest).Count > 0,
            Wait.Generous,
            () => "the manifest"
        );

        _manager!.OnManifestDiff(
            new ManifestDiffPayload
            {
                Path = Root,
                Need = ["ok.txt"],
                Refused =
                [
                    new ManifestRefusal("refused.txt", ErrorCodes.UnsupportedName, "reserved name"),
                ],
            }
        );
        await WaitForDoneAsync();

        var stats = RecordingUplink.Stats(_uplink.OfType(MessageTypes.FileDone).Single());
        Assert.Equal(1, stats.GetProperty("syncErrors").GetInt32());
        Assert.Equal("refused.txt", Assert.Single(_manager.GetStatus().ErrorFiles!).Path);
        Assert.Equal(["ok.txt"], _uplink.RelativePathsOf(MessageTypes.FileCreateSync));
    }

    /// <summary>
    /// The churn's divergence: a file the server says it needs (it lacks it, or holds another version)
    /// vanishes before it is sent. The server may hold an old copy, so a delete must go out.
    /// </summary>
    [Fact]
    public async Task ManifestDiff_NeededFileGoneBeforeItIsSent_DeleteSent()
    {
        var full = Write("old-version.txt", "the server holds an older version of this");
        await StartAsync();
        _uplink.Connect(["manifest"]);
        await Wait.UntilAsync(
            () => _uplink.OfType(MessageTypes.Manifest).Count > 0,
            Wait.Generous,
            () => "the manifest"
        );

        File.Delete(full);
        _manager!.OnManifestDiff(
            new ManifestDiffPayload { Path = Root, Need = ["old-version.txt"] }
        );
        await WaitForDoneAsync();

        Assert.Equal(["old-version.txt"], _uplink.RelativePathsOf(MessageTypes.FileDeleteSync));
        Assert.Empty(_uplink.RelativePathsOf(MessageTypes.FileCreateSync));
    }

    [Fact]
    public async Task InvalidUtf8Names_SkippedCountedAndNamedWithEscapes()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // other file systems store names as Unicode: there is no such name to make
        }
        Write("good.txt", "fine");
        Directory.CreateDirectory(Path.Combine(Root, "sub"));
        // "caf\xE9.txt" (Latin-1), a CESU-8 surrogate and a folder with a Latin-1 name holding a file.
        RunBash(
            Root,
            "touch \"$(printf 'caf\\xe9.txt')\" \"sub/$(printf 'x\\xed\\xa0\\x80y')\" && mkdir \"$(printf 'd\\xe9r')\" && echo hi > \"$(printf 'd\\xe9r')/inner.txt\""
        );
        await StartAsync();
        _uplink.Connect();
        await WaitForDoneAsync();

        Assert.Equal(["good.txt"], _uplink.RelativePathsOf(MessageTypes.FileCreateSync));
        var skipped = _manager!
            .GetStatus()
            .SkippedFiles!.Where(s => s.Reason == SkipReasons.InvalidName)
            .Select(s => s.Path)
            .Order(StringComparer.Ordinal);
        Assert.Equal(["caf\\xE9.txt", "d\\xE9r", "sub/x\\xED\\xA0\\x80y"], skipped);
        Assert.Equal(
            3,
            RecordingUplink
                .Stats(_uplink.OfType(MessageTypes.FileDone).Single())
                .GetProperty("filesSkipped")
                .GetInt32()
        );
    }

    [Fact]
    public async Task RefusedForTooManyFiles_FilesDeletedBelowTheLimit_ResumesByItself()
    {
        for (var i = 0; i < 7; i++)
        {
            Write($"f{i}.txt", $"file {i}");
        }
        await StartAsync(realWatcher: true, maxFiles: 5);
        _uplink.Connect();
        await Wait.UntilAsync(
            () => _manager!.State == WorkspaceState.Refused,
            Wait.Generous,
            () => "refused"
        );
        Assert.Contains("7 files", _manager!.LastError);

        Write("f7.txt", "one more");
        await Wait.UntilAsync(
            () => _manager.LastError?.Contains("8 files", StringComparison.Ordinal) == true,
            Wait.Generous,
            () => "the count kept up to date"
        );
        for (var i = 0; i < 4; i++)
        {
            File.Delete(Path.Combine(Root, $"f{i}.txt"));
        }

        await Wait.UntilAsync(
            () => _manager.State == WorkspaceState.Watching,
            Wait.Generous,
            () => $"watching again, is {_manager.State}"
        );
        await MirrorAssert.EqualsEventuallyAsync(
            () => MirrorAssert.FilesOf(Root),
            () => ServerCopy
        );
    }

    /// <summary>A synced workspace with real watching, and beside it a folder holding a secret.</summary>
    private async Task<string> StartBesideASecretFolderAsync()
    {
        var outside = Path.Combine(_parent.Path, "outside");
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(outside, "secret.txt"), "private key");
        Write("a.txt", "mine");
        await StartAsync(realWatcher: true);
        _uplink.Connect();
        await WaitForDoneAsync();
        return outside;
    }

    private Task WaitForRootChangedReportAsync() =>
        Wait.UntilAsync(
            () =>
                _uplink
                    .OfType(MessageTypes.SyncError)
                    .Any(e => e.Payload.GetProperty("code").GetString() == ErrorCodes.RootChanged),
            Wait.Generous,
            () => "a sync_error with code root_changed"
        );

    private void AssertNothingPrivateSent() =>
        Assert.DoesNotContain(
            _uplink.Sent,
            m =>
                m.Payload.TryGetProperty("content", out var c)
                && c.GetString()!.Contains("private", StringComparison.Ordinal)
        );

    [Fact]
    public async Task RootReplacedByLink_StopsAndNeverSendsWhatIsOutside()
    {
        var outside = await StartBesideASecretFolderAsync();

        Directory.Delete(Root, recursive: true);
        Directory.CreateSymbolicLink(Root, outside);

        await Wait.UntilAsync(
            () => _manager!.State == WorkspaceState.RootChanged,
            Wait.Generous,
            () => $"stopped, is {_manager!.State}"
        );
        Assert.Contains("link", _manager!.LastError);
        File.WriteAllText(Path.Combine(outside, "later.txt"), "also private");
        _manager.RequestRescan();
        _manager.RequestResync();
        // The root may be reported missing first (deleted, then linked): root_changed must follow.
        await WaitForRootChangedReportAsync();
        AssertNothingPrivateSent();
        Assert.Empty(_manager.ListFiles());
    }

    [Fact]
    public async Task RootDeletedReportedMissingThenLinked_RootChangedStillReported()
    {
        var outside = await StartBesideASecretFolderAsync();

        Directory.Delete(Root, recursive: true);
        await Wait.UntilAsync(
            () => _manager!.State == WorkspaceState.Missing,
            Wait.Generous,
            () => $"missing, is {_manager!.State}"
        );
        Directory.CreateSymbolicLink(Root, outside);
        _manager!.RequestRescan();

        await WaitForRootChangedReportAsync();
        Assert.Equal(WorkspaceState.RootChanged, _manager.State);
        AssertNothingPrivateSent();
    }

    [Fact]
    public async Task ListFiles_FifoInWorkspace_NotListed()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // no FIFOs
        }
        Write("a.txt", "file");
        RunBash(Root, "mkfifo pipe");
        await StartAsync();

        Assert.Equal(["a.txt"], _manager!.ListFiles());
    }

    private static void RunBash(string directory, string script)
    {
        var info = new ProcessStartInfo("bash")
        {
            WorkingDirectory = directory,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"bash failed: {error}");
    }
}
