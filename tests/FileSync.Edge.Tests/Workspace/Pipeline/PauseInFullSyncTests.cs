using FileSync.Edge.Tests.Infrastructure;
using FileSync.Edge.Workspace;
using FileSync.Protocol;

namespace FileSync.Edge.Tests.Workspace.Pipeline;

/// <summary>
/// A pause inside a full sync (the initial sync, a resync, a manifest re-sync after a reconnect) takes
/// effect at the next file: the sync holds there, counts as paused, shows its progress, and on resume
/// goes on from that file, sending none twice, and ends with file_done. The pause is requested from
/// the uplink's send of the tenth file, so it lands at the same place every run.
/// </summary>
public sealed class PauseInFullSyncTests : WorkspaceSyncFixture
{
    private const int FileCount = 40;
    private const int PauseAfter = 10;

    private void WriteFiles()
    {
        for (var i = 0; i < FileCount; i++)
        {
            _workspace.Write($"f{i:00}.txt", $"file {i}");
        }
    }

    /// <summary>Pauses the workspace from inside the send of the <see cref="PauseAfter"/>th create from now.</summary>
    private void PauseAtTheTenthCreate()
    {
        var creates = 0;
        _uplink.OnSent = message =>
        {
            if (
                message.Type == MessageTypes.FileCreateSync
                && Interlocked.Increment(ref creates) == PauseAfter
            )
            {
                _manager!.Pause();
            }
        };
    }

    private List<string> Creates() => _uplink.RelativePathsOf(MessageTypes.FileCreateSync);

    /// <summary>Waits until the pause took effect, checks that it holds, resumes, and checks the sync ends without a resend.</summary>
    private async Task AssertPauseHoldsThenResumeCompletesAsync(int doneBefore)
    {
        var manager = _manager!;
        await Wait.UntilAsync(() => manager.IsPaused, "the pause to be requested");
        await manager.WhenPausedAsync().WaitAsync(Wait.Generous);
        Assert.Equal(PauseState.Paused, manager.PauseState);
        Assert.Equal(PauseAfter, Creates().Count);
        var status = manager.GetStatus();
        Assert.Equal("paused", status.State);
        var progress = Assert.IsType<WorkspaceSyncProgress>(status.Progress);
        Assert.Equal(FileCount, progress.FilesTotal);
        Assert.Equal(PauseAfter, progress.FilesDone);
        Assert.True(progress.BytesDone > 0 && progress.BytesDone < progress.BytesTotal);

        // A change while paused is seen (pending) — the loop had its chance — and nothing more goes out.
        _uplink.OnSent = null;
        _workspace.Write("late.txt", "written while paused");
        Watcher.RaiseChanged(Path.Combine(Root, "late.txt"));
        await Wait.UntilAsync(() => manager.PendingChanges >= 1, "the change to be pending");
        Assert.Equal(PauseAfter, Creates().Count);
        Assert.Equal(doneBefore, _uplink.OfType(MessageTypes.FileDone).Count);

        manager.Resume();
        await WaitForDoneAsync(doneBefore + 1);
        Assert.Equal(PauseState.Running, manager.PauseState);
        var creates = Creates();
        Assert.Equal(creates.Count, creates.Distinct().Count());
        Assert.Equal(FileCount, creates.Count(p => p.StartsWith('f')));
        Assert.Null(manager.GetStatus().Progress);
    }

    [Fact]
    public async Task InitialSync_PausedAtTheTenthFile_HoldsThereAndResumesWithoutResending()
    {
        WriteFiles();
        await StartAsync();
        PauseAtTheTenthCreate();
        _uplink.Connect();

        await AssertPauseHoldsThenResumeCompletesAsync(doneBefore: 0);
    }

    [Fact]
    public async Task Resync_PausedAtTheTenthFile_HoldsThereAndResumesWithoutResending()
    {
        WriteFiles();
        var manager = await StartAsync();
        _uplink.Connect();
        await WaitForDoneAsync();
        _uplink.Clear();

        PauseAtTheTenthCreate();
        manager.RequestResync();

        await AssertPauseHoldsThenResumeCompletesAsync(doneBefore: 0);
    }

    [Fact]
    public async Task ManifestResyncAfterReconnect_PausedAtTheTenthFile_HoldsThereAndResumesWithoutResending()
    {
        WriteFiles();
        var manager = await StartAsync();
        _uplink.Connect([Capabilities.Manifest]);
        await AnswerManifestWithEverythingAsync(manager, manifests: 1);
        await WaitForDoneAsync();
        _uplink.Clear();

        // The server lost its copy while the agent was away: it needs everything again.
        _uplink.Disconnect();
        PauseAtTheTenthCreate();
        _uplink.Connect([Capabilities.Manifest]);
        await AnswerManifestWithEverythingAsync(manager, manifests: 1);

        await AssertPauseHoldsThenResumeCompletesAsync(doneBefore: 0);
    }

    private async Task AnswerManifestWithEverythingAsync(WorkspaceSync manager, int manifests)
    {
        await Wait.UntilAsync(
            () => _uplink.OfType(MessageTypes.Manifest).Count >= manifests,
            "a manifest"
        );
        manager.OnManifestDiff(
            new ManifestDiffPayload
            {
                Path = Root,
                Need = [.. Enumerable.Range(0, FileCount).Select(i => $"f{i:00}.txt")],
            }
        );
    }
}
