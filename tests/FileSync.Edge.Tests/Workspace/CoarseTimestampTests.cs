using System.Text;
using FileSync.Edge.Tests.Infrastructure;
using FileSync.Edge.Workspace;
using FileSync.Protocol;
using Microsoft.Extensions.Logging.Abstractions;

namespace FileSync.Edge.Tests.Workspace;

/// <summary>
/// On a file system with whole-second timestamps (a loop-mounted ext4 with 128-byte inodes), a
/// same-size save within the second of the previous one leaves size, mtime, ctime and inode as they
/// were. The watcher's notification and git's "racy" rule must still get the new bytes to the server.
/// </summary>
[Trait("Category", "Integration")]
public sealed class CoarseTimestampTests : IAsyncLifetime
{
    private readonly RecordingUplink _uplink = new();
    private readonly LogSink _log = new();
    private MountedFileSystem? _disk;
    private WorkspaceSync? _manager;

    private string Root => Path.Combine(_disk!.Path, "ws");

    private string StateDirectory => Path.Combine(_disk!.Path, "state");

    public Task InitializeAsync()
    {
        if (MountedFileSystem.Unavailable is null)
        {
            _disk = MountedFileSystem.CoarseTimestampExt4();
            Directory.CreateDirectory(Root);
        }
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_manager is not null)
        {
            await _manager.DisposeAsync();
        }
        _disk?.Dispose();
    }

    private async Task StartAsync()
    {
        var options = new SyncOptions
        {
            BatchMilliseconds = 20,
            SettleMilliseconds = 0,
            RescanMinutes = 0,
        };
        _manager = new WorkspaceSync(
            Root,
            options,
            _uplink,
            new FileSync.Edge.Watching.WorkspaceWatcherFactory(NullLoggerFactory.Instance),
            TimeProvider.System,
            _log,
            indexStore: new WorkspaceIndexStore(StateDirectory)
        );
        // A manifest server: the manifest shows what the agent believes each file holds, without a re-send.
        _uplink.Connect(["manifest"]);
        await _manager.StartAsync();
        await _uplink.WaitForSentAsync(MessageTypes.Manifest);
        _manager.OnManifestDiff(new ManifestDiffPayload { Path = Root, Need = [] });
        await Wait.UntilAsync(
            () => _uplink.OfType(MessageTypes.FileDone).Count > 0,
            Wait.Generous,
            () =>
                "the initial sync; sent: "
                + string.Join(", ", _uplink.Sent.Select(m => m.Type))
                + "; log: "
                + string.Join(" | ", _log.Entries.Select(r => r.Message))
        );
    }

    private string? ManifestHashOf(string relativePath) =>
        _uplink
            .OfType(MessageTypes.Manifest)
            .Last()
            .Payload.GetProperty("files")
            .EnumerateArray()
            .Where(f => f.GetProperty("relativePath").GetString() == relativePath)
            .Select(f => f.GetProperty("hash").GetString())
            .SingleOrDefault();

    private static string Sha256(string text) =>
        Convert.ToHexStringLower(
            System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(text))
        );

    private Task ServerHasAsync(string relativePath, string content) =>
        Wait.UntilAsync(
            () =>
                MessageMirror.Apply(_uplink.Sent).TryGetValue(relativePath, out var bytes)
                && Encoding.UTF8.GetString(bytes) == content,
            Wait.Generous,
            () => $"the server's copy of {relativePath} to be '{content}'"
        );

    [MountFact]
    public async Task TwoSameSizeSavesMillisecondsApart_Live_TheSecondArrives()
    {
        await StartAsync();
        var full = Path.Combine(Root, "doc.txt");
        var random = new Random(1234);
        for (var trial = 0; trial < 12; trial++)
        {
            File.WriteAllText(full, $"save {trial:D2} A");
            await Task.Delay(random.Next(1, 300)); // the gap between two saves of an editor, not a synchronisation
            File.WriteAllText(full, $"save {trial:D2} B");
            await ServerHasAsync("doc.txt", $"save {trial:D2} B");
        }
    }

    [MountFact]
    public async Task SameSizeSaveInTheSecondItWasRecorded_AfterRestart_Sent()
    {
        var full = Path.Combine(Root, "doc.txt");
        for (var attempt = 0; ; attempt++)
        {
            File.WriteAllText(full, $"recorded {attempt:D2}");
            var recorded = FileStamp.Of(full);
            _uplink.Clear();
            await StartAsync();
            await _manager!.DisposeAsync();
            _manager = null;
            File.WriteAllText(full, $"replaced {attempt:D2}");
            if (FileStamp.Of(full) != recorded)
            {
                // The second turned over meanwhile: the stamp tells the change by itself. Try again.
                Assert.True(
                    attempt < 10,
                    "could not make a save within the recorded second in 10 attempts"
                );
                continue;
            }
            // Size, mtime, ctime and inode are exactly as recorded: only the racy rule can catch this.
            _uplink.Clear();
            await StartAsync();
            Assert.Equal(Sha256($"replaced {attempt:D2}"), ManifestHashOf("doc.txt"));
            return;
        }
    }
}
