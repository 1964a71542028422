using System.Text;
using FileSync.Edge.Tests.Infrastructure;
using FileSync.Edge.Workspace;
using FileSync.Protocol;

namespace FileSync.Edge.Tests.Workspace.Pipeline;

/// <summary>
/// Resuming against a server that takes manifests (ManifestExchange): only what the diff names is sent,
/// changes made while the diff is awaited follow it, and a large manifest goes in chunks.
/// </summary>
public sealed class ManifestResumeTests : WorkspaceSyncFixture
{
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
}
