using System.Collections.Concurrent;
using FileSync.Edge.Filtering;
using FileSync.Edge.Tests.Infrastructure;
using FileSync.Edge.Watching;
using Microsoft.Extensions.Logging.Abstractions;

namespace FileSync.Edge.Tests.Watching;

/// <summary>
/// The Linux watcher against real inotify on real directories. "Not reported" is checked with a sentinel
/// written afterwards: inotify keeps one queue per instance, in order, so once the sentinel's event has
/// arrived an earlier event would have too.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class InotifyWorkspaceWatcherTests : IDisposable
{
    private readonly TempDirectory _root = new(inMemory: true);
    private readonly ConcurrentQueue<string> _changed = new();
    private readonly ConcurrentQueue<string> _completed = new();
    private readonly ConcurrentQueue<Exception> _errors = new();
    private readonly HashSet<string> _excluded = new(StringComparer.Ordinal);
    private InotifyWorkspaceWatcher? _watcher;
    private int _sentinels;

    private InotifyWorkspaceWatcher Start()
    {
        _watcher = new InotifyWorkspaceWatcher(_root.Path, IsExcluded, NullLogger.Instance);
        _watcher.Changed += _changed.Enqueue;
        _watcher.Completed += path =>
        {
            _changed.Enqueue(path);
            _completed.Enqueue(path);
        };
        _watcher.Error += _errors.Enqueue;
        _watcher.Start();
        return _watcher;
    }

    /// <summary>As the ignore filter answers: a directory under an excluded one is excluded too.</summary>
    private bool IsExcluded(string relative)
    {
        lock (_excluded)
        {
            for (var path = relative; path.Length > 0; path = Path.GetDirectoryName(path) ?? "")
            {
                if (_excluded.Contains(path))
                {
                    return true;
                }
            }
            return false;
        }
    }

    private string Full(string relative) => Path.Combine(_root.Path, relative);

    private bool Reported(string relative) => _changed.Contains(Full(relative));

    private Task ReportedAsync(string relative) =>
        Wait.UntilAsync(
            () => Reported(relative),
            Wait.Generous,
            () => $"{relative} reported; got {string.Join(", ", _changed.Take(20))}"
        );

    /// <summary>Writes a new file at the root and waits for its event: everything raised before it has been seen.</summary>
    private async Task DrainAsync()
    {
        var sentinel = $"sentinel-{++_sentinels}.txt";
        _root.Write(sentinel, "s");
        await ReportedAsync(sentinel);
    }

    [Fact]
    public async Task FileWritesInNestedDirectories_AreReported()
    {
        _root.Write("a/b/c/old.txt", "x");
        Start();

        File.WriteAllText(Full("a/b/c/old.txt"), "changed");
        await ReportedAsync("a/b/c/old.txt");
    }

    [Fact]
    public async Task FileClosedAfterWriting_IsReportedCompleteAfterItsWrites()
    {
        Start();
        using (var stream = new FileStream(Full("saved.txt"), FileMode.Create, FileAccess.Write))
        {
            stream.Write("partial"u8);
            stream.Flush();
            await ReportedAsync("saved.txt"); // created and written: in the making
            Assert.DoesNotContain(Full("saved.txt"), _completed);
        }
        await Wait.UntilAsync(
            () => _completed.Contains(Full("saved.txt")),
            Wait.Generous,
            () => "saved.txt complete after close"
        );
    }

    [Fact]
    public async Task NewDirectoryTree_IsReportedAndWatchedBeforeItsFilesAreWritten()
    {
        var watcher = Start();
        var before = watcher.WatchCount;

        Directory.CreateDirectory(Full("new/deep/er"));
        await ReportedAsync("new");
        // Watched down to the bottom by the time "new" was reported (the receiver scans it for what came before).
        await Wait.UntilAsync(
            () => watcher.WatchCount == before + 3,
            Wait.Generous,
            () => $"{watcher.WatchCount} watches"
        );
        _root.Write("new/deep/er/file.txt", "late");
        await ReportedAsync("new/deep/er/file.txt");
    }

    [Fact]
    public async Task WithIgnoreFilter_OnlyTheWayToGitInfoExcludeIsWatchedInsideGit()
    {
        _root.Write(".git/HEAD", "ref: refs/heads/main\n");
        _root.Write(".git/info/exclude", "");
        _root.Write(".git/objects/ab/cdef", "blob");
        _root.Write("node_modules/pkg/index.js", "1");
        var filter = new WorkspaceIgnoreFilter(_root.Path);
        _watcher = new InotifyWorkspaceWatcher(
            _root.Path,
            filter.IsUnwatchedDirectory,
            NullLogger.Instance
        );
        _watcher.Changed += _changed.Enqueue;
        _watcher.Completed += _changed.Enqueue;
        _watcher.Start();
        Assert.Equal(3, _watcher.WatchCount); // the root, .git and .git/info

        _root.Write(".git/objects/ab/0123", "another blob");
        _root.Write("node_modules/pkg/index.js", "2");
        await DrainAsync();
        Assert.False(Reported(".git/objects/ab/0123"));
        Assert.False(Reported("node_modules/pkg/index.js"));

        File.WriteAllText(Full(".git/info/exclude"), "*.log\n");
        await ReportedAsync(".git/info/exclude");
    }

    [Fact]
    public async Task ExcludedDirectory_HasNoWatchAndRaisesNothing_UntilRefreshIncludesIt()
    {
        _excluded.Add("node_modules");
        _root.Write("node_modules/pkg/index.js", "1");
        _root.Write("src/main.cs", "1");
        var watcher = Start();
        Assert.Equal(2, watcher.WatchCount); // the root and src; node_modules and node_modules/pkg are not watched

        File.WriteAllText(Full("node_modules/pkg/index.js"), "2");
        await DrainAsync();
        Assert.False(Reported("node_modules/pkg/index.js"));

        _excluded.Clear(); // as when the ignore line is removed
        watcher.Refresh();
        Assert.Equal(4, watcher.WatchCount);
        File.WriteAllText(Full("node_modules/pkg/index.js"), "3");
        await ReportedAsync("node_modules/pkg/index.js");

        _excluded.Add("node_modules"); // ignored again: its watches go
        watcher.Refresh();
        Assert.Equal(2, watcher.WatchCount);
    }

    [Fact]
    public async Task NewDirectoryWithAnExcludedName_IsNotWatched()
    {
        _excluded.Add("build");
        var watcher = Start();
        Directory.CreateDirectory(Full("build/out"));
        await ReportedAsync("build"); // the directory itself appearing is still news
        File.WriteAllText(Full("build/out/app.dll"), "x");
        await DrainAsync();
        Assert.False(Reported("build/out/app.dll"));
        Assert.Equal(1, watcher.WatchCount);
    }

    [Fact]
    public async Task DirectoryRenamedWithin_IsWatchedUnderItsNewName()
    {
        _root.Write("old/sub/f.txt", "1");
        var watcher = Start();
        Directory.Move(Full("old"), Full("renamed"));
        await ReportedAsync("old");
        await ReportedAsync("renamed");

        File.WriteAllText(Full("renamed/sub/f.txt"), "2");
        await ReportedAsync("renamed/sub/f.txt");
        await DrainAsync();
        Assert.False(Reported("old/sub/f.txt"));
        Assert.Equal(3, watcher.WatchCount);
    }

    [Fact]
    public async Task DirectoryMovedOut_LosesItsWatches()
    {
        using var outside = new TempDirectory(inMemory: true); // same file system: a real move
        _root.Write("leaving/sub/f.txt", "1");
        var watcher = Start();
        Directory.Move(Full("leaving"), Path.Combine(outside.Path, "leaving"));
        await ReportedAsync("leaving");
        Assert.Equal(1, watcher.WatchCount);

        File.WriteAllText(Path.Combine(outside.Path, "leaving/sub/f.txt"), "2");
        await DrainAsync();
        Assert.DoesNotContain(_changed, p => p.Contains("f.txt", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SymlinkedDirectory_IsNotFollowed()
    {
        using var outside = new TempDirectory();
        outside.Write("secret/s.txt", "1");
        Directory.CreateSymbolicLink(Full("link"), Path.Combine(outside.Path, "secret"));
        var watcher = Start();
        Assert.Equal(1, watcher.WatchCount);

        File.WriteAllText(Path.Combine(outside.Path, "secret/s.txt"), "2");
        await DrainAsync();
        Assert.False(Reported("link/s.txt"));
    }

    [Fact]
    public async Task HeavyDirectoryChurn_KeepsTheRootWatched()
    {
        // The .NET FileSystemWatcher was seen to lose every watch, the root's too, under this kind of churn.
        var watcher = Start();
        for (var round = 0; round < 30; round++)
        {
            for (var i = 0; i < 20; i++)
            {
                _root.Write($"d{i}/x/y/f.txt", $"{round}");
            }
            for (var i = 0; i < 20; i += 2)
            {
                Directory.Move(Full($"d{i}"), Full($"d{i}-moved"));
            }
            for (var i = 0; i < 20; i++)
            {
                Directory.Delete(Full(i % 2 == 0 ? $"d{i}-moved" : $"d{i}"), recursive: true);
            }
        }
        await DrainAsync();
        await Wait.UntilAsync(
            () => watcher.WatchCount == 1,
            Wait.Generous,
            () => $"{watcher.WatchCount} watches left, expected only the root's"
        );
        Assert.DoesNotContain(_errors, e => e is not InternalBufferOverflowException);
    }

    [Fact]
    public async Task QueueOverflow_RaisesErrorAndWatchesDirectoriesCreatedMeanwhile()
    {
        Directory.CreateDirectory(Full("during"));
        var watcher = Start();
        // Block the reading thread inside a handler so the kernel queue (fs.inotify.max_user_queued_events) overflows.
        using var release = new ManualResetEventSlim();
        var blocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        watcher.Changed += _ =>
        {
            blocked.TrySetResult();
            release.Wait();
        };
        _root.Write("first.txt", "x");
        await blocked.Task.OrTimeout();

        var limit = int.TryParse(Inotify.ReadLimit("max_queued_events"), out var queued)
            ? queued
            : 16384;
        for (var i = 0; i < limit + 100; i++)
        {
            File.WriteAllText(Full($"during/f{i}.txt"), "x");
        }
        Directory.CreateDirectory(Full("during/late")); // its event is lost: the queue is full
        release.Set();

        await Wait.UntilAsync(
            () => _errors.Any(e => e is InternalBufferOverflowException),
            Wait.Generous,
            () =>
                $"an overflow error; errors: {string.Join(", ", _errors.Select(e => e.GetType().Name + " " + e.Message))}; {_changed.Count} changes ({string.Join(", ", _changed.Take(6))}), {watcher.WatchCount} watches, reading {watcher.IsReading}"
        );
        // The directory whose creation event may have been lost is watched all the same.
        await Wait.UntilAsync(
            () => watcher.WatchCount == 3,
            Wait.Generous,
            () => $"{watcher.WatchCount} watches"
        );
        _root.Write("during/late/after.txt", "y");
        await ReportedAsync("during/late/after.txt");
    }

    [Fact]
    public async Task RootDeleted_RaisesDirectoryNotFound()
    {
        Start();
        Directory.Delete(_root.Path, recursive: true);
        await Wait.UntilAsync(
            () => _errors.Any(e => e is DirectoryNotFoundException),
            Wait.Generous,
            () => "a root-gone error"
        );
    }

    [Fact]
    public void Dispose_StopsTheReadingThreadAndClosesTheInstance()
    {
        var watcher = Start();
        var handle = watcher.InstanceHandle;
        Assert.Equal("anon_inode:inotify", new FileInfo($"/proc/self/fd/{handle}").LinkTarget);
        Assert.True(watcher.IsReading);

        watcher.Dispose();
        Assert.False(watcher.IsReading);
        Assert.Equal(-1, watcher.InstanceHandle);
        Assert.Equal(0, watcher.WatchCount);
        watcher.Dispose(); // twice is harmless
    }

    public void Dispose()
    {
        _watcher?.Dispose();
        _root.Dispose();
    }
}
