using System.Security.Cryptography;
using FileSync.Edge.Local;
using FileSync.Edge.Tests.Infrastructure;

namespace FileSync.Edge.Tests.Local;

/// <summary>
/// A pause that pauses: a real agent process syncing 1,800 files to the real reference server over a slow
/// link (a throttling relay), paused with the real <c>pause</c> command in the middle of the initial sync.
/// The server's count must stop growing, the status must say paused (with the sync's progress), and the
/// resumed sync must converge without sending any file twice.
/// </summary>
[Trait("Category", "Integration")]
public sealed class PauseDuringSyncTests(ITestOutputHelper output) : LocalTestBase(output)
{
    private const int FileCount = 1800;

    private TcpRelay? _relay;

    public override async Task DisposeAsync()
    {
        if (_relay is not null)
        {
            await _relay.DisposeAsync();
        }
        await base.DisposeAsync();
    }

    /// <summary>Text that compresses little: base64 of random bytes.</summary>
    private static string IncompressibleText(int bytes) =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(bytes * 3 / 4));

    private async Task<long> ServerCreatesAsync() =>
        (await Server!.GetStatusAsync()).Workspaces.FirstOrDefault()?.Received.Create ?? 0;

    private async Task<WorkspaceStatusView> LocalStatusAsync()
    {
        var response = await LocalControlClient.RequestAsync(
            Address,
            new LocalRequest { Command = LocalCommands.Status },
            Wait.Generous
        );
        return Assert.Single(response.Status!.Workspaces);
    }

    [Fact]
    public async Task PauseDuringInitialSync_ServerCountStops_ResumeConvergesWithoutResending()
    {
        await StartServerAsync();
        // ~3 MB on the wire at 1 MB/s: the sync lasts seconds, the pause lands in its middle.
        _relay = new TcpRelay(Server!.Port, bytesPerSecond: 1_000_000);
        var workspace = NewWorkspace();
        for (var i = 0; i < FileCount; i++)
        {
            workspace.Write($"d{i % 30}/f{i}.txt", IncompressibleText(2000));
        }
        await StartLocalAgentAsync([workspace.Path], _relay.WebSocketUri);
        var edgeId = await WaitForEdgeIdAsync();
        await Wait.UntilAsync(
            async () => await ServerCreatesAsync() >= 100,
            "the first 100 files to reach the server"
        );

        var pause = await CliAsync("pause");
        Assert.Equal(0, pause.ExitCode);

        var paused = await Wait.UntilAsync(
            LocalStatusAsync,
            w => w.Paused,
            "the status to say paused (sending stopped)"
        );
        Assert.Equal("paused", paused.State);
        // The full sync is under way: its progress shows, and it is not done.
        var progress = Assert.IsType<SyncProgressView>(paused.Progress);
        Assert.Equal(FileCount, progress.FilesTotal);
        Assert.InRange(progress.FilesDone, 1, FileCount - 1);
        Assert.True(progress.BytesTotal > 0 && progress.BytesDone < progress.BytesTotal);

        // Everything sent before the pause has arrived once the agent answered a request that went
        // over the same connection after it.
        await GetAgentStatusAsync(edgeId);
        var atPause = await ServerCreatesAsync();
        Output.WriteLine($"server had {atPause} of {FileCount} files when paused");
        Assert.InRange(atPause, 100, FileCount - 1);

        // A change while paused is tracked (the loop looked at it), yet nothing goes out.
        workspace.Write("while-paused.txt", "written while paused");
        await Wait.UntilAsync(
            LocalStatusAsync,
            w => w.Pending >= 1,
            "the change made while paused to be pending"
        );
        await GetAgentStatusAsync(edgeId);
        Assert.Equal(atPause, await ServerCreatesAsync());
        Assert.Contains(
            $"paused at {progress.FilesDone:N0}/1,800 files",
            (await CliAsync("status")).Stdout,
            StringComparison.Ordinal
        );

        var resume = await CliAsync("resume");
        Assert.Equal(0, resume.ExitCode);
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));
        await Wait.UntilAsync(
            async () => (await Server.GetStatusAsync()).Workspaces.Single().Done,
            "file_done after the resumed sync"
        );
        var received = (await Server.GetStatusAsync()).Workspaces.Single().Received;
        // Each file went out once: none sent again after the resume (and no modify of one it had).
        Assert.Equal(FileCount + 1, received.Create);
        Assert.Equal(0, received.Modify);
        Assert.Null((await LocalStatusAsync()).Progress);
    }
}
