using FileSync.Protocol;

namespace FileSync.Edge.Tests.Workspace.Pipeline;

/// <summary>
/// What one batch of changed paths turns into (ChangePlanner, FileHasher, SyncReconciler end to end):
/// a directory event expanded into its files, a rename into delete plus create, a touch without new
/// content into nothing.
/// </summary>
public sealed class ChangePlanningTests : WorkspaceSyncFixture
{
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
}
