using System.Text;
using FileSync.Edge.Uplink;
using FileSync.Edge.Workspace;
using FileSync.Edge.Workspace.Pipeline;

namespace FileSync.Edge.Tests.Workspace.Pipeline;

/// <summary>The decision table of one read file against the index and what the server holds (no I/O).</summary>
public sealed class SyncReconcilerTests
{
    private readonly WorkspaceIndex _index = new();
    private readonly ServerHoldings _server = new();
    private readonly SyncReconciler _reconciler;
    private static readonly UplinkSession s_session = new(1, "e", "u", ["manifest"], 0);
    private static readonly UplinkSession s_legacy = new(2, "e", "u", null, 0);

    public SyncReconcilerTests() => _reconciler = new SyncReconciler(_index, _server, maxFiles: 3);

    private static FileReadResult Read(string path, string text, string hash) =>
        new(path, FileReadStatus.Ok)
        {
            Content = Encoding.UTF8.GetBytes(text),
            Hash = hash,
            Size = text.Length,
        };

    private static SyncBatch Batch(
        SyncBatchKind kind = SyncBatchKind.Rescan,
        UplinkSession? session = null
    ) => new(session ?? s_session, kind);

    [Fact]
    public void ContentTheServerHolds_IsOnlyRecorded()
    {
        _server.Record("a.txt", "h1");
        var action = _reconciler.Decide(Read("a.txt", "a", "h1"), Batch());
        Assert.Equal(SyncActionKind.Record, action.Kind);
        Assert.False(action.Hold);
    }

    [Fact]
    public void OtherContentOnTheServer_IsSentAsAModify()
    {
        _server.Record("a.txt", "old");
        var action = _reconciler.Decide(Read("a.txt", "a", "new"), Batch());
        Assert.Equal(SyncActionKind.Send, action.Kind);
        Assert.False(action.Created);
        Assert.True(action.ServerMayHold);
    }

    [Fact]
    public void FileTheServerSaidItNeeds_IsSentAsACreate_AndKnownToMaybeBeThere()
    {
        _server.MarkMaybeHeld("a.txt");
        var action = _reconciler.Decide(Read("a.txt", "a", "h"), Batch());
        Assert.Equal(SyncActionKind.Send, action.Kind);
        Assert.True(action.Created);
        Assert.True(action.ServerMayHold);
    }

    [Fact]
    public void UnknownFile_IsSentAsACreate()
    {
        var action = _reconciler.Decide(Read("new.txt", "n", "h"), Batch());
        Assert.Equal(SyncActionKind.Send, action.Kind);
        Assert.True(action.Created);
        Assert.False(action.ServerMayHold);
    }

    [Fact]
    public void ResendAll_SendsEvenWhatTheServerHolds_AsCreates()
    {
        _server.Record("a.txt", "h");
        var action = _reconciler.Decide(Read("a.txt", "a", "h"), Batch(SyncBatchKind.ResendAll));
        Assert.Equal(SyncActionKind.Send, action.Kind);
        Assert.True(action.Created);
    }

    [Fact]
    public void IndexOnlyPass_SendsNothing_AndHoldsTheContentForTheServersAsk()
    {
        var action = _reconciler.Decide(
            Read("a.txt", "a", "h"),
            Batch(SyncBatchKind.ManifestIndex)
        );
        Assert.Equal(SyncActionKind.Record, action.Kind);
        Assert.True(action.Hold);
    }

    [Fact]
    public void NewFilePastTheLimit_AsksForARescan_AnIndexedOneIsStillSent()
    {
        foreach (var path in new[] { "1", "2", "3" })
        {
            _index.Set(path, new FileEntry(1, 1, "h"));
        }
        Assert.Equal(
            SyncActionKind.OverLimit,
            _reconciler.Decide(Read("4", "x", "h"), Batch()).Kind
        );
        Assert.Equal(SyncActionKind.Send, _reconciler.Decide(Read("3", "x", "h2"), Batch()).Kind);
    }

    [Fact]
    public void GoneFileTheServerMayHold_IsDeleted_ButNotInTheIndexOnlyPass()
    {
        _server.MarkMaybeHeld("gone.txt");
        var gone = new FileReadResult("gone.txt", FileReadStatus.Missing);
        var action = _reconciler.Decide(gone, Batch());
        Assert.Equal(SyncActionKind.Drop, action.Kind);
        Assert.True(action.DeleteOnServer);
        Assert.Null(action.SkipAs);
        Assert.False(_reconciler.Decide(gone, Batch(SyncBatchKind.ManifestIndex)).DeleteOnServer);
    }

    [Fact]
    public void GoneFileTheServerNeverHad_IsNotDeleted()
    {
        var action = _reconciler.Decide(
            new FileReadResult("never.txt", FileReadStatus.Missing),
            Batch()
        );
        Assert.Equal(SyncActionKind.Drop, action.Kind);
        Assert.False(action.DeleteOnServer);
        Assert.False(action.ServerMayHold);
    }

    [Theory]
    [InlineData(FileReadStatus.TooLarge)]
    [InlineData(FileReadStatus.Binary)]
    public void FileThatCannotBeSynced_IsCountedAsSkipped_AndDeletedWhereTheServerHasIt(
        FileReadStatus status
    )
    {
        _server.Record("big.bin", "h");
        var action = _reconciler.Decide(new FileReadResult("big.bin", status), Batch());
        Assert.Equal(SyncActionKind.Drop, action.Kind);
        Assert.Equal(status, action.SkipAs);
        Assert.True(action.DeleteOnServer);
    }

    [Fact]
    public void NotUtf8ContentForAServerWithoutCapabilities_IsSkipped_NeverSentMangled()
    {
        var latin1 = new FileReadResult("l.txt", FileReadStatus.Ok)
        {
            Content = [0x63, 0x61, 0x66, 0xE9],
            Hash = "h",
        };
        var legacy = _reconciler.Decide(latin1, Batch(session: s_legacy));
        Assert.Equal(SyncActionKind.Drop, legacy.Kind);
        Assert.Equal(FileReadStatus.NotUtf8, legacy.SkipAs);
        Assert.Null(legacy.Result.Content);
        Assert.Equal(SyncActionKind.Send, _reconciler.Decide(latin1, Batch()).Kind);
    }

    [Theory]
    [InlineData(FileReadStatus.Unchanged, "Unchanged")]
    [InlineData(FileReadStatus.Unstable, "Retry")]
    [InlineData(FileReadStatus.Unreadable, "Fail")]
    [InlineData(FileReadStatus.Ignored, "Drop")]
    public void OtherOutcomes(FileReadStatus status, string expected) =>
        Assert.Equal(
            Enum.Parse<SyncActionKind>(expected),
            _reconciler.Decide(new FileReadResult("f", status), Batch()).Kind
        );
}
