using System.Text;
using FileSync.Edge.Tests.Infrastructure;
using FileSync.Edge.Watching;
using FileSync.Edge.Workspace;
using Microsoft.Extensions.Logging.Abstractions;

namespace FileSync.Edge.Tests.Workspace;

/// <summary>
/// The manager with the real OS watcher on real files: after each scenario settles, the copy built
/// from the messages sent must equal the filtered workspace.
/// </summary>
[Trait("Category", "Integration")]
public sealed class WatcherRobustnessTests : WorkspaceFolderFixture
{
    private async Task StartAsync(
        int maxFiles = 2000,
        long maxFileBytes = 102_400,
        int watcherBuffer = 64 * 1024
    )
    {
        var options = new SyncOptions
        {
            BatchMilliseconds = 50,
            SettleMilliseconds = 5,
            RescanMinutes = 0,
            MaxFiles = maxFiles,
            MaxFileBytes = maxFileBytes,
        };
        _manager = new WorkspaceSync(
            Root,
            options,
            _uplink,
            new WorkspaceWatcherFactory(NullLoggerFactory.Instance, watcherBuffer),
            TimeProvider.System,
            NullLogger.Instance
        );
        await _manager.StartAsync();
        _uplink.Connect();
        await _manager.InitialSyncCompleted.OrTimeout();
    }

    /// <summary>Waits until the messages sent so far rebuild exactly the workspace (minus <paramref name="excluded"/>).</summary>
    /// <summary>The server's copy equals the workspace under the names the wire carries (NFC: an NFD name on disk arrives precomposed).</summary>
    private Task ConvergedAsync(Func<string, bool>? excluded = null) =>
        MirrorAssert.EqualsEventuallyAsync(
            () =>
                MirrorAssert
                    .FilesOf(Root, excluded)
                    .ToDictionary(
                        file => UnicodeNfc.Normalize(file.Key),
                        file => file.Value,
                        StringComparer.Ordinal
                    ),
            () => MessageMirror.Apply(_uplink.Sent)
        );

    [Fact]
    public async Task NewDirectoryTree_FilesCreatedImmediately_AllSynced()
    {
        await StartAsync();

        for (var i = 0; i < 10; i++)
        {
            Write($"a{i}/b/c/d/file{i}.txt", $"deep {i}");
        }

        await ConvergedAsync();
    }

    [Fact]
    public async Task DirectoryRenamedWithinMovedOutMovedIn_MirrorFollows()
    {
        Write("inside/one.txt", "1");
        Write("inside/sub/two.txt", "2");
        Write("leaving/three.txt", "3");
        var outside = Path.Combine(_parent.Path, "outside");
        Directory.CreateDirectory(Path.Combine(outside, "arriving"));
        File.WriteAllText(Path.Combine(outside, "arriving", "four.txt"), "4");
        await StartAsync();

        Directory.Move(Path.Combine(Root, "inside"), Path.Combine(Root, "renamed"));
        await ConvergedAsync();
        Directory.Move(Path.Combine(Root, "leaving"), Path.Combine(outside, "left"));
        await ConvergedAsync();
        Directory.Move(Path.Combine(outside, "arriving"), Path.Combine(Root, "arrived"));
        await ConvergedAsync();
        Assert.True(MessageMirror.Apply(_uplink.Sent).ContainsKey("arrived/four.txt"));
    }

    [Fact]
    public async Task RenameBetweenIgnoredAndSyncedNames_MirrorFollows()
    {
        Write(".gitignore", "*.tmp\n");
        Write("draft.tmp", "draft");
        await StartAsync();

        File.Move(Path.Combine(Root, "draft.tmp"), Path.Combine(Root, "final.txt"));
        await ConvergedAsync(p => p.EndsWith(".tmp", StringComparison.Ordinal));
        Assert.True(MessageMirror.Apply(_uplink.Sent).ContainsKey("final.txt"));

        File.Move(Path.Combine(Root, "final.txt"), Path.Combine(Root, "again.tmp"));
        await ConvergedAsync(p => p.EndsWith(".tmp", StringComparison.Ordinal));
        Assert.False(MessageMirror.Apply(_uplink.Sent).ContainsKey("final.txt"));
    }

    [Fact]
    public async Task AtomicSave_TempWrittenThenRenamedOver_MirrorHasNewContent()
    {
        Write("doc.txt", "version 1");
        await StartAsync();

        for (var i = 2; i <= 5; i++)
        {
            var temp = Path.Combine(Root, $".doc.txt.swp{i}");
            File.WriteAllText(temp, $"version {i}");
            File.Move(temp, Path.Combine(Root, "doc.txt"), overwrite: true);
        }

        await ConvergedAsync();
        Assert.Equal(
            "version 5",
            Encoding.UTF8.GetString(MessageMirror.Apply(_uplink.Sent)["doc.txt"])
        );
    }

    [Fact]
    public async Task FileGrowsPastSizeLimitAndShrinksBack_DeletedThenRestored()
    {
        Write("log.txt", "small");
        await StartAsync(maxFileBytes: 1000);

        Write("log.txt", new string('x', 1001));
        await ConvergedAsync(p => p == "log.txt");
        Assert.False(MessageMirror.Apply(_uplink.Sent).ContainsKey("log.txt"));
        // Status is published when the batch ends, a moment after its messages went out.
        await Wait.UntilAsync(
            () => _manager!.GetStatus().Skipped == 1,
            Wait.Generous,
            () => $"one file skipped in status, have {_manager!.GetStatus().Skipped}"
        );

        Write("log.txt", "small again");
        await ConvergedAsync();
        await Wait.UntilAsync(
            () => _manager!.GetStatus().Skipped == 0,
            Wait.Generous,
            () => $"no file skipped in status, have {_manager!.GetStatus().Skipped}"
        );
    }

    [Fact]
    public async Task UnusualNames_SpacesUnicodeDashesLongPaths_AllSynced()
    {
        Write("with space/a file.txt", "spaces");
        Write("-leading-dash.txt", "dash");
        Write("--double", "double dash");
        Write("caf\u00e9-nfc.txt", "nfc");
        Write("cafe\u0301-nfd.txt", "nfd");
        Write("\u65e5\u672c\u8a9e/\u30d5\u30a1\u30a4\u30eb.txt", "japanese");
        var longDirectory = string.Join(
            '/',
            Enumerable.Range(0, 12).Select(i => new string((char)('a' + i), 60))
        );
        Write($"{longDirectory}/long-name-{new string('z', 150)}.txt", "long path");
        await StartAsync();
        await ConvergedAsync();

        Write("with space/another one.txt", "more");
        Write("cafe\u0301-nfd.txt", "nfd changed");
        await ConvergedAsync();
    }

    [Fact]
    public async Task Symlinks_PointingOutOrLooping_NeverFollowedNeverHang()
    {
        var secret = Path.Combine(_parent.Path, "secret");
        Directory.CreateDirectory(secret);
        File.WriteAllText(Path.Combine(secret, "password.txt"), "outside the workspace");
        Write("real/file.txt", "inside");
        Directory.CreateSymbolicLink(Path.Combine(Root, "escape"), secret);
        File.CreateSymbolicLink(
            Path.Combine(Root, "escape-file.txt"),
            Path.Combine(secret, "password.txt")
        );
        Directory.CreateSymbolicLink(Path.Combine(Root, "real", "loop"), Root);
        await StartAsync();

        Write("real/later.txt", "added later");
        File.WriteAllText(Path.Combine(secret, "password2.txt"), "also outside");

        await ConvergedAsync(p =>
            p.StartsWith("escape", StringComparison.Ordinal)
            || p.StartsWith("real/loop", StringComparison.Ordinal)
        );
        var mirror = MessageMirror.Apply(_uplink.Sent);
        Assert.DoesNotContain(mirror.Keys, k => k.Contains("password", StringComparison.Ordinal));
        Assert.Equal(
            ["real/file.txt", "real/later.txt"],
            mirror.Keys.Order(StringComparer.Ordinal)
        );
    }

    [Fact]
    public async Task IgnoreFileEdits_NewlyIgnoredDeletedNewlyIncludedSent()
    {
        Write(".gitignore", "*.gen\n");
        Write("a.gen", "generated");
        Write("b.txt", "source");
        Write("logs/x.log", "log");
        await StartAsync();
        await ConvergedAsync(p => p.EndsWith(".gen", StringComparison.Ordinal));

        Write(".gitignore", "logs/\n");
        await ConvergedAsync(p => p.StartsWith("logs/", StringComparison.Ordinal));
        var mirror = MessageMirror.Apply(_uplink.Sent);
        Assert.True(mirror.ContainsKey("a.gen"));
        Assert.False(mirror.ContainsKey("logs/x.log"));

        Write("logs/.aishignore", "");
        Write(".aishignore", "b.txt\n");
        await ConvergedAsync(p => p.StartsWith("logs/", StringComparison.Ordinal) || p == "b.txt");
    }

    [Fact]
    public async Task WorkspaceFolderDeletedAndRecreated_SyncsTheNewContent()
    {
        Write("a.txt", "first life");
        await StartAsync();

        Directory.Delete(Root, recursive: true);
        await Wait.UntilAsync(
            () => _manager!.State == WorkspaceState.Missing,
            Wait.Generous,
            () => $"state Missing, is {_manager!.State}"
        );
        Directory.CreateDirectory(Root);
        Write("b.txt", "second life");

        await ConvergedAsync();
        Assert.Equal(WorkspaceState.Watching, _manager!.State);
    }

    [Fact]
    public async Task TwentyThousandFilesAtOnce_MinimumWatcherBuffer_MirrorConverges()
    {
        await StartAsync(maxFiles: 30_000, watcherBuffer: 4096);

        Parallel.For(
            0,
            20_000,
            new ParallelOptions { MaxDegreeOfParallelism = 4 },
            i => Write($"bulk/d{i % 200}/f{i}.txt", $"file {i}")
        );

        await MirrorAssert.EqualsEventuallyAsync(
            () => MirrorAssert.FilesOf(Root),
            () => MessageMirror.Apply(_uplink.Sent),
            Wait.Long
        );
    }
}
