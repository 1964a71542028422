using System.Text;
using FileSync.Edge.Tests.Infrastructure;
using FileSync.Edge.Workspace;
using FileSync.Protocol;

namespace FileSync.Edge.Tests.Workspace.Pipeline;

/// <summary>
/// What a full sync sends when a session starts (FullSync): every filtered file then file_done, files
/// skipped for size, encoding or kind, frames that fit, and on reconnecting to a server without manifests
/// everything again plus deletes for what vanished offline.
/// </summary>
public sealed class FullSyncBehaviourTests : WorkspaceSyncFixture
{
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
        await _uplink.WaitForSentAsync(MessageTypes.Manifest);
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
}
