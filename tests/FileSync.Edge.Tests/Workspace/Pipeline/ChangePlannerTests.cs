using FileSync.Edge.Filtering;
using FileSync.Edge.Tests.Infrastructure;
using FileSync.Edge.Uplink;
using FileSync.Edge.Workspace;
using FileSync.Edge.Workspace.Pipeline;
using Microsoft.Extensions.Logging.Abstractions;

namespace FileSync.Edge.Tests.Workspace.Pipeline;

/// <summary>Changed paths (and full scans) into the files to re-check, over real folders.</summary>
public sealed class ChangePlannerTests : IDisposable
{
    private readonly TempDirectory _root = new();
    private readonly WorkspaceIndex _index = new();
    private readonly ServerHoldings _server = new();
    private readonly WorkspaceCounters _counters = new(TimeProvider.System);
    private readonly ChangePlanner _planner;
    private int _rewatches;
    private static readonly UplinkSession s_session = new(1, "e", "u", ["manifest"], 0);

    public ChangePlannerTests()
    {
        var filter = new WorkspaceIgnoreFilter(_root.Path);
        _planner = new ChangePlanner(
            _root.Path,
            _index,
            _server,
            filter,
            new WorkspaceScanner(_root.Path, filter),
            _counters,
            () => _rewatches++,
            NullLogger.Instance
        );
    }

    public void Dispose() => _root.Dispose();

    private List<string> Plan(params string[] dirty) =>
        [
            .. _planner
                .PlanChanges(
                    new HashSet<string>(dirty, PathComparer.Default),
                    new SyncBatch(s_session, SyncBatchKind.Rescan),
                    CancellationToken.None
                )
                .Select(i => i.Path)
                .Order(StringComparer.Ordinal),
        ];

    [Fact]
    public void ANewDirectory_ExpandsIntoTheFilesUnderIt()
    {
        _root.Write("new/a.txt", "a");
        _root.Write("new/deep/b.txt", "b");
        Assert.Equal(["new/a.txt", "new/deep/b.txt"], Plan("new"));
    }

    [Fact]
    public void ADeletedDirectory_ExpandsIntoWhatTheIndexAndTheServerHadUnderIt()
    {
        _index.Set("gone/a.txt", new FileEntry(1, 1, "h"));
        _server.MarkMaybeHeld("gone/b.txt");
        _server.Record("gone-sibling.txt", "h"); // same prefix, not under it
        Assert.Equal(["gone", "gone/a.txt", "gone/b.txt"], Plan("gone"));
    }

    [Fact]
    public void AnIgnoredDirectory_IsNotScanned_ButWhatWasSyncedUnderItIsRechecked()
    {
        _root.Write(".gitignore", "build/\n");
        _root.Write("build/out.txt", "o");
        _index.Set("build/old.txt", new FileEntry(1, 1, "h"));
        Assert.Equal(["build/old.txt"], Plan("build"));
    }

    [Fact]
    public void APathUnderASymlinkedDirectory_IsNeverScanned_OnlyWhatWasKnownThere()
    {
        var outside = Directory.CreateTempSubdirectory("filesync-outside-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(outside, "secret.txt"), "s");
            File.WriteAllText(Path.Combine(outside, "other.txt"), "o");
            Directory.CreateSymbolicLink(Path.Combine(_root.Path, "link"), outside);
            _index.Set("link/known.txt", new FileEntry(1, 1, "h"));

            var planned = Plan("link/secret.txt", "link");

            // The link is re-checked as a path (and dropped by the reader), never entered: other.txt stays unseen.
            Assert.Equal(["link", "link/known.txt", "link/secret.txt"], planned);
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
        }
    }

    [Fact]
    public void AFullScan_CoversDiskIndexAndServer_WithWhatEachHad()
    {
        _root.Write("disk.txt", "d");
        _index.Set("indexed.txt", new FileEntry(1, 1, "hi"));
        _server.Record("server-only.txt", "hs");
        var batch = new SyncBatch(s_session, SyncBatchKind.Rescan);

        var items = _planner.PlanFullScan(_planner.ScanAll(CancellationToken.None), batch);

        Assert.Equal(
            ["disk.txt", "indexed.txt", "server-only.txt"],
            items.Select(i => i.Path).Order(StringComparer.Ordinal)
        );
        Assert.Equal("hi", items.Single(i => i.Path == "indexed.txt").Indexed?.Hash);
        Assert.Equal("hs", items.Single(i => i.Path == "server-only.txt").ServerHash);
        Assert.Equal(3, batch.Total);
    }

    [Fact]
    public void ResendAll_PlansWithoutWhatTheServerHolds()
    {
        _server.Record("a.txt", "h");
        var items = _planner.Items(["a.txt"], new SyncBatch(s_session, SyncBatchKind.ResendAll));
        Assert.Null(items.Single().ServerHash);
    }
}
