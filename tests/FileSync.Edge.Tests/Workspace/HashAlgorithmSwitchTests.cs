using FileSync.Edge.Tests.Infrastructure;
using FileSync.Edge.Workspace;
using FileSync.Protocol;
using Microsoft.Extensions.Logging.Abstractions;

namespace FileSync.Edge.Tests.Workspace;

/// <summary>
/// The session's content hash on the agent: the manifest carries the hashes of the server's algorithm,
/// and a saved index of the other algorithm is never trusted: every file is read again.
/// </summary>
public sealed class HashAlgorithmSwitchTests : IAsyncLifetime
{
    private static readonly string[] s_sha256Server = [Capabilities.Manifest];
    private static readonly string[] s_xxh128Server =
    [
        Capabilities.Manifest,
        Capabilities.XxHash128,
    ];

    private readonly TempDirectory _workspace = new();
    private readonly TempDirectory _state = new();
    private readonly RecordingUplink _uplink = new();
    private WorkspaceSync? _manager;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_manager is not null)
        {
            await _manager.DisposeAsync();
        }
        _workspace.Dispose();
        _state.Dispose();
    }

    /// <summary>Starts a manager with a persisted index, connects with <paramref name="capabilities"/> and answers its manifest with "nothing needed".</summary>
    private async Task<(long FilesRead, Dictionary<string, string> Hashes)> SyncOnceAsync(
        string[] capabilities
    )
    {
        _uplink.Clear();
        _manager = new WorkspaceSync(
            _workspace.Path,
            new SyncOptions
            {
                BatchMilliseconds = 20,
                SettleMilliseconds = 0,
                RescanMinutes = 0,
            },
            _uplink,
            new FakeWorkspaceWatcherFactory(),
            TimeProvider.System,
            NullLogger.Instance,
            indexStore: new WorkspaceIndexStore(_state.Path)
        );
        await _manager.StartAsync();
        _uplink.Connect(capabilities);
        await Wait.UntilAsync(
            () => _uplink.OfType(MessageTypes.Manifest).Count == 1,
            Wait.Generous,
            () => "the manifest"
        );
        var hashes = _uplink
            .OfType(MessageTypes.Manifest)
            .Single()
            .Payload.GetProperty("files")
            .EnumerateArray()
            .ToDictionary(
                f => f.GetProperty("relativePath").GetString()!,
                f => f.GetProperty("hash").GetString()!
            );
        _manager.OnManifestDiff(new ManifestDiffPayload { Path = _manager.RootPath, Need = [] });
        await Wait.UntilAsync(
            () => _uplink.OfType(MessageTypes.FileDone).Count == 1,
            Wait.Generous,
            () => "file_done"
        );
        var read = _manager.FilesRead;
        await _manager.DisposeAsync();
        _manager = null;
        _uplink.Disconnect();
        return (read, hashes);
    }

    private void WriteOldFiles()
    {
        foreach (var (name, text) in new[] { ("a.txt", "alpha"), ("d/b.txt", "beta") })
        {
            File.SetLastWriteTimeUtc(_workspace.Write(name, text), DateTime.UtcNow.AddMinutes(-10));
        }
        // Past the racy window of the ctime just set, so an index entry can be trusted after a restart.
        Thread.Sleep(FileEntry.FineRacyWindow * 3);
    }

    private static Dictionary<string, string> Expected(ContentHash algorithm) =>
        new()
        {
            ["a.txt"] = algorithm.Compute("alpha"u8),
            ["d/b.txt"] = algorithm.Compute("beta"u8),
        };

    [Fact]
    public async Task Manifest_Xxh128Server_HashesAreXxHash128()
    {
        WriteOldFiles();

        var (read, hashes) = await SyncOnceAsync(s_xxh128Server);

        Assert.Equal(2, read);
        Assert.Equal(Expected(ContentHash.XxHash128), hashes);
    }

    [Fact]
    public async Task Restart_ServerOfTheOtherAlgorithm_IndexNotTrustedEveryFileReadAgain()
    {
        WriteOldFiles();
        await SyncOnceAsync(s_xxh128Server);

        // Same algorithm: the saved index is trusted, nothing is read.
        var same = await SyncOnceAsync(s_xxh128Server);
        Assert.Equal(0, same.FilesRead);
        Assert.Equal(Expected(ContentHash.XxHash128), same.Hashes);

        // The other one: every file read again, and the manifest in SHA-256.
        var other = await SyncOnceAsync(s_sha256Server);
        Assert.Equal(2, other.FilesRead);
        Assert.Equal(Expected(ContentHash.Sha256), other.Hashes);

        // And back.
        var back = await SyncOnceAsync(s_xxh128Server);
        Assert.Equal(2, back.FilesRead);
        Assert.Equal(Expected(ContentHash.XxHash128), back.Hashes);
    }
}
