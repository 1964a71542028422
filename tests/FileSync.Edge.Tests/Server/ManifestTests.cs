using FileSync.Protocol;
using Xunit.Abstractions;

namespace FileSync.Edge.Tests.Server;

public sealed class ManifestTests(ITestOutputHelper output) : ServerTestBase(output)
{
    [Fact]
    public async Task Manifest_MirrorWithExtrasAndChanges_DeletesExtrasAndNeedsMissingOrChanged()
    {
        var server = await StartServerAsync();
        var client = await ConnectAsync(server);
        await client.SendTextAsync(EdgeMessages.Create("same.txt", "same"));
        await client.SendTextAsync(EdgeMessages.Create("changed.txt", "old content"));
        await client.SendTextAsync(EdgeMessages.Create("sizesame.txt", "aaaa"));
        await client.SendTextAsync(EdgeMessages.Create("extra.txt", "extra"));
        await client.SendTextAsync(EdgeMessages.Create("olddir/sub/extra2.txt", "extra"));
        await WaitForWorkspaceAsync(server, w => w.Files == 5, "five files mirrored");

        await client.SendTextAsync(
            EdgeMessages.Manifest([
                ("same.txt", "same"),
                ("changed.txt", "new content!"),
                ("sizesame.txt", "bbbb"),
                ("new/file.txt", "new"),
                ("another.txt", "x"),
            ])
        );

        var diff = await client.ReceiveAsync(MessageTypes.ManifestDiff);
        Assert.Equal(EdgeMessages.WorkspaceRoot, diff.Payload.GetProperty("path").GetString());
        Assert.Equal(
            ["another.txt", "changed.txt", "new/file.txt", "sizesame.txt"],
            diff.Payload.GetProperty("need").EnumerateArray().Select(e => e.GetString())
        );
        Assert.Equal(["changed.txt", "same.txt", "sizesame.txt"], Sandbox.WorkspaceFiles("proj"));
        Assert.False(Directory.Exists(Path.Combine(Sandbox.MirrorDirectory, "proj", "olddir")));
        var workspace = (await server.GetStatusAsync()).Workspaces.Single();
        Assert.Equal(1, workspace.Received.Manifest);
        Assert.False(workspace.Done);
    }

    [Fact]
    public async Task Manifest_EmptyMirror_NeedsEveryFile()
    {
        var server = await StartServerAsync();
        var client = await ConnectAsync(server);

        await client.SendTextAsync(EdgeMessages.Manifest([("b.txt", "b"), ("a/a.txt", "a")]));

        var diff = await client.ReceiveAsync(MessageTypes.ManifestDiff);
        Assert.Equal(
            ["a/a.txt", "b.txt"],
            diff.Payload.GetProperty("need").EnumerateArray().Select(e => e.GetString())
        );
        Assert.True(Directory.Exists(Path.Combine(Sandbox.MirrorDirectory, "proj")));
    }

    [Fact]
    public async Task Manifest_MirrorUpToDate_NeedsNothing()
    {
        var server = await StartServerAsync();
        var client = await ConnectAsync(server);
        await client.SendTextAsync(EdgeMessages.Create("a.txt", "a"));
        await client.SendTextAsync(EdgeMessages.Create("d/b.txt", "b"));
        await WaitForWorkspaceAsync(server, w => w.Files == 2, "mirrored");

        await client.SendTextAsync(EdgeMessages.Manifest([("a.txt", "a"), ("d/b.txt", "b")]));

        var diff = await client.ReceiveAsync(MessageTypes.ManifestDiff);
        Assert.Empty(diff.Payload.GetProperty("need").EnumerateArray());
        Assert.Equal(["a.txt", "d/b.txt"], Sandbox.WorkspaceFiles("proj"));
    }

    [Fact]
    public async Task Manifest_EmptyFileList_DeletesWholeMirrorContent()
    {
        var server = await StartServerAsync();
        var client = await ConnectAsync(server);
        await client.SendTextAsync(EdgeMessages.Create("a/b/c.txt", "c"));
        await WaitForWorkspaceAsync(server, w => w.Files == 1, "mirrored");

        await client.SendTextAsync(EdgeMessages.Manifest([]));

        await client.ReceiveAsync(MessageTypes.ManifestDiff);
        Assert.Empty(
            Directory.EnumerateFileSystemEntries(Path.Combine(Sandbox.MirrorDirectory, "proj"))
        );
    }

    [Fact]
    public async Task Manifest_InChunks_AnsweredOnceAfterLastChunk()
    {
        var server = await StartServerAsync();
        var client = await ConnectAsync(server);
        await client.SendTextAsync(EdgeMessages.Create("keep1.txt", "1"));
        await client.SendTextAsync(EdgeMessages.Create("keep2.txt", "2"));
        await client.SendTextAsync(EdgeMessages.Create("drop.txt", "x"));
        await WaitForWorkspaceAsync(server, w => w.Files == 3, "mirrored");

        await client.SendTextAsync(
            EdgeMessages.Manifest([("keep1.txt", "1"), ("need1.txt", "n")], chunk: 0, last: false)
        );
        await client.SendTextAsync(
            EdgeMessages.Manifest([("keep2.txt", "2")], chunk: 1, last: false)
        );
        await client.SendTextAsync(
            EdgeMessages.Manifest([("need2.txt", "n")], chunk: 2, last: true)
        );

        var diff = await client.ReceiveAsync(MessageTypes.ManifestDiff);
        Assert.Equal(
            ["need1.txt", "need2.txt"],
            diff.Payload.GetProperty("need").EnumerateArray().Select(e => e.GetString())
        );
        Assert.Equal(["keep1.txt", "keep2.txt"], Sandbox.WorkspaceFiles("proj"));
        var workspace = (await server.GetStatusAsync()).Workspaces.Single();
        Assert.Equal(3, workspace.Received.Manifest);
    }

    [Fact]
    public async Task Manifest_ChunkOutOfOrder_RejectedAndNothingDeleted()
    {
        var server = await StartServerAsync();
        var client = await ConnectAsync(server);
        await client.SendTextAsync(EdgeMessages.Create("a.txt", "a"));
        await WaitForWorkspaceAsync(server, w => w.Files == 1, "mirrored");

        await client.SendTextAsync(EdgeMessages.Manifest([], chunk: 0, last: false));
        await client.SendTextAsync(EdgeMessages.Manifest([], chunk: 2, last: true));

        await client.ReceiveErrorAsync(ErrorCodes.InvalidPayload);
        Assert.Equal(["a.txt"], Sandbox.WorkspaceFiles("proj"));
    }

    [Fact]
    public async Task Manifest_ThenNeededFilesAndDone_MarksDoneAgain()
    {
        var server = await StartServerAsync();
        var client = await ConnectAsync(server);
        await client.SendTextAsync(EdgeMessages.Done());
        await WaitForWorkspaceAsync(server, w => w.Done, "first pass done");
        // Capability done-ack: file_done is acknowledged once applied.
        await client.ReceiveAsync(MessageTypes.FileDoneAck);

        await client.SendTextAsync(EdgeMessages.Manifest([("a.txt", "a")]));
        await client.ReceiveAsync(MessageTypes.ManifestDiff);
        Assert.False((await server.GetStatusAsync()).Workspaces.Single().Done);
        await client.SendTextAsync(EdgeMessages.Create("a.txt", "a"));
        await client.SendTextAsync(EdgeMessages.Done());

        var workspace = await WaitForWorkspaceAsync(server, w => w.Done, "second pass done");
        Assert.Equal(2, workspace.Received.Done);
        Assert.Equal(1, workspace.Files);
    }

    [Fact]
    public async Task Manifest_LegacyServer_NotAnsweredAndRecordedAsReply()
    {
        var server = await StartServerAsync(legacy: true);
        var client = await ConnectAsync(server);
        await client.SendTextAsync(EdgeMessages.Create("a.txt", "a"));

        await client.SendTextAsync(EdgeMessages.Manifest([]));
        await client.SendTextAsync("""{"type":"probe"}""");

        var replies = await Wait.UntilAsync(
            () => server.GetRepliesAsync(client.EdgeId),
            r => r.Count == 2,
            "manifest and probe recorded"
        );
        Assert.Equal([MessageTypes.Manifest, "probe"], replies.Select(r => r.Type));
        Assert.Equal(["a.txt"], Sandbox.WorkspaceFiles("proj"));
        Assert.Equal(0, (await server.GetStatusAsync()).Workspaces.Single().Received.Manifest);
    }

    [Fact]
    public async Task Manifest_HashCacheStale_ExternalEditDetected()
    {
        var server = await StartServerAsync();
        var client = await ConnectAsync(server);
        await client.SendTextAsync(EdgeMessages.Create("a.txt", "original"));
        await WaitForWorkspaceAsync(server, w => w.Files == 1, "mirrored");
        var path = Sandbox.MirrorPath("proj", "a.txt");
        await File.WriteAllTextAsync(path, "tampered");
        File.SetLastWriteTimeUtc(path, File.GetLastWriteTimeUtc(path).AddMinutes(1));

        await client.SendTextAsync(EdgeMessages.Manifest([("a.txt", "original")]));

        var diff = await client.ReceiveAsync(MessageTypes.ManifestDiff);
        Assert.Equal(
            ["a.txt"],
            diff.Payload.GetProperty("need").EnumerateArray().Select(e => e.GetString())
        );
    }
}
