using System.Text;
using FileSync.Edge.Tests.Infrastructure;
using FileSync.Protocol;
using FileSync.Server;
using Xunit.Abstractions;

namespace FileSync.Edge.Tests.Server;

/// <summary>
/// <c>/api/status</c> answers from counters the mirror keeps as it applies files: it never walks
/// the mirror folder (a file put there behind the server's back is not counted) and never waits for
/// a write; the counters stay right across creates, modifies, deletes, manifest deletions, obstacles
/// and a restart over an existing mirror.
/// </summary>
public sealed class StatusCounterTests(ITestOutputHelper output) : ServerTestBase(output)
{
    private (int Files, long Bytes) OnDisk(string workspace = EdgeMessages.WorkspaceName)
    {
        var files = Sandbox.WorkspaceFiles(workspace);
        return (files.Count, files.Sum(f => new FileInfo(Sandbox.MirrorPath(workspace, f)).Length));
    }

    private Task<WorkspaceMirrorStatus> WaitForDiskCountsAsync(InProcessServer server, string what)
    {
        return WaitForWorkspaceAsync(
            server,
            w => (w.Files, w.Bytes) == OnDisk(),
            $"status equal to the mirror folder after {what}"
        );
    }

    [Fact]
    public async Task FilesAppliedWhileStatusIsPolled_NeitherBlocksTheOther_CountsRightAtTheEnd()
    {
        const int Files = 400;
        const int Batch = 50;
        var server = await StartServerAsync();
        var client = await ConnectAsync(server);
        var polls = 0;
        var lastSeen = 0;
        using var stop = new CancellationTokenSource();
        var poller = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var status = await server.GetStatusAsync();
                Volatile.Write(
                    ref lastSeen,
                    status
                        .Workspaces.SingleOrDefault(w => w.Name == EdgeMessages.WorkspaceName)
                        ?.Files
                        ?? 0
                );
                Interlocked.Increment(ref polls);
            }
        });

        long bytes = 0;
        for (var sent = 0; sent < Files; )
        {
            for (var i = 0; i < Batch; i++, sent++)
            {
                var text = new string('x', sent % 97) + sent;
                bytes += Encoding.UTF8.GetByteCount(text);
                await client.SendTextAsync(EdgeMessages.Create($"d{sent % 7}/f{sent}.txt", text));
            }
            // The poller, looping all along, sees every batch land: status keeps answering while
            // files are applied, and applying goes on while status is read.
            var pollsBefore = Volatile.Read(ref polls);
            var expected = sent;
            await Wait.UntilAsync(
                () =>
                    Volatile.Read(ref lastSeen) == expected
                    && Volatile.Read(ref polls) > pollsBefore,
                $"the poller seeing {expected} files"
            );
        }
        await stop.CancelAsync();
        await poller;

        var workspace = (await server.GetStatusAsync()).Workspaces.Single();
        Assert.Equal(Files, workspace.Files);
        Assert.Equal(bytes, workspace.Bytes);
        Assert.Equal(OnDisk(), (workspace.Files, workspace.Bytes));
    }

    [Fact]
    public async Task CreateModifyDeleteObstacleAndManifest_CountersFollowTheMirror()
    {
        var server = await StartServerAsync();
        var client = await ConnectAsync(server);

        await client.SendTextAsync(EdgeMessages.Create("a.txt", "alpha"));
        await client.SendTextAsync(EdgeMessages.Create("dir/b.txt", "bravo"));
        await client.SendTextAsync(EdgeMessages.Create("dir/c.txt", "charlie"));
        await WaitForWorkspaceAsync(server, w => w.Files == 3 && w.Bytes == 17, "three creates");

        await client.SendTextAsync(EdgeMessages.Modify("a.txt", "alpha, but longer"));
        await WaitForWorkspaceAsync(server, w => w.Received.Modify == 1, "the modify");
        await WaitForDiskCountsAsync(server, "a modify that grew the file");

        await client.SendTextAsync(EdgeMessages.Delete("dir/b.txt"));
        await client.SendTextAsync(EdgeMessages.Delete("never-was.txt"));
        await WaitForWorkspaceAsync(server, w => w.Received.Delete == 2, "the deletes");
        await WaitForDiskCountsAsync(server, "a delete and a delete of nothing");

        // A file where a folder must be, then a folder where a file must be.
        await client.SendTextAsync(EdgeMessages.Create("a.txt/inside.txt", "replaces the file"));
        await client.SendTextAsync(EdgeMessages.Create("dir", "replaces the folder"));
        await WaitForWorkspaceAsync(server, w => w.Received.Create == 5, "the obstacle creates");
        await WaitForDiskCountsAsync(server, "obstacles removed");
        Assert.Equal(["a.txt/inside.txt", "dir"], Sandbox.WorkspaceFiles("proj"));

        await client.SendTextAsync(EdgeMessages.Manifest([("dir", "replaces the folder")]));
        await client.ReceiveAsync(MessageTypes.ManifestDiff);
        await WaitForDiskCountsAsync(server, "the manifest deleted what it lacks");
        var workspace = (await server.GetStatusAsync()).Workspaces.Single();
        Assert.Equal((1, 19L), (workspace.Files, workspace.Bytes));
    }

    [Fact]
    public async Task FileAddedBehindTheServersBack_NotCounted_StatusNeverWalksTheMirror()
    {
        var server = await StartServerAsync();
        var client = await ConnectAsync(server);
        await client.SendTextAsync(EdgeMessages.Create("a.txt", "alpha"));
        await WaitForWorkspaceAsync(server, w => w.Files == 1, "the create");

        await File.WriteAllTextAsync(Sandbox.MirrorPath("proj", "stray.txt"), "not from an edge");

        // Another workspace's write after it proves the server has moved on since.
        await client.SendTextAsync(EdgeMessages.Create("b.txt", "bravo", "/home/dev/other"));
        await WaitForWorkspaceAsync(server, w => w.Files == 1, "the other write", "other");
        var proj = (await server.GetStatusAsync()).Workspaces.Single(w => w.Name == "proj");
        Assert.Equal((1, 5L), (proj.Files, proj.Bytes));
    }

    [Fact]
    public async Task RestartOverAnExistingMirror_CountersStartFromTheFolderOnce()
    {
        var first = await StartServerAsync();
        var client = await ConnectAsync(first);
        await client.SendTextAsync(EdgeMessages.Create("a.txt", "alpha"));
        await client.SendTextAsync(EdgeMessages.Create("dir/b.txt", "bravo"));
        await WaitForWorkspaceAsync(first, w => w.Files == 2, "the creates");
        await first.StopAsync();

        var second = await StartServerAsync();
        var again = await ConnectAsync(second);
        await again.SendTextAsync(EdgeMessages.Modify("a.txt", "alpha, changed"));
        await again.SendTextAsync(EdgeMessages.Create("c.txt", "charlie"));
        await again.SendTextAsync(EdgeMessages.Delete("dir/b.txt"));

        await WaitForWorkspaceAsync(second, w => w.Received.Delete == 1, "the restart's changes");
        await WaitForDiskCountsAsync(second, "a restart");
        var workspace = (await second.GetStatusAsync()).Workspaces.Single();
        Assert.Equal((2, 21L), (workspace.Files, workspace.Bytes));
    }
}
