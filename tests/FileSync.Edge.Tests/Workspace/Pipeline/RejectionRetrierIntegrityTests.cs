using System.Diagnostics;
using FileSync.Edge.Workspace;
using FileSync.Protocol;

namespace FileSync.Edge.Tests.Workspace.Pipeline;

/// <summary>
/// Files the server could not apply (RejectionRetrier, on the real clock): a transient rejection is
/// counted by name, retried and cleared once applied; a permanent one waits for the file to change.
/// </summary>
public sealed class RejectionRetrierIntegrityTests : IntegrityFixture
{
    [Fact]
    public async Task ServerRejection_Transient_CountedByNameRetriedAndClearedOnceApplied()
    {
        Write("full-disk.txt", "content");
        await StartAsync();
        _uplink.Connect();
        await WaitForDoneAsync();
        var sends =
            _uplink.RelativePathsOf(MessageTypes.FileCreateSync).Count
            + _uplink.RelativePathsOf(MessageTypes.FileModifySync).Count;

        _manager!.OnServerRejected(
            "full-disk.txt",
            ErrorCodes.WriteFailed,
            "No space left on device"
        );

        await Wait.UntilAsync(
            () => _manager.GetStatus().Errors == 1,
            Wait.Generous,
            () => "one error in status"
        );
        var status = _manager.GetStatus();
        Assert.Equal("full-disk.txt", Assert.Single(status.ErrorFiles!).Path);
        Assert.Contains("No space left on device", status.ErrorFiles![0].Reason);
        // Sent again after the backoff, and forgotten as an error once the server stays silent about it.
        await Wait.UntilAsync(
            () =>
                _uplink.RelativePathsOf(MessageTypes.FileCreateSync).Count
                    + _uplink.RelativePathsOf(MessageTypes.FileModifySync).Count
                > sends,
            Wait.Generous,
            () => "the file sent again"
        );
        await Wait.UntilAsync(
            () => _manager.GetStatus().Errors == 0,
            Wait.Generous,
            () => "the error cleared after the server accepted the retry"
        );
    }

    [Fact]
    public async Task ServerRejection_Permanent_NotRetriedUntilTheFileChanges()
    {
        var full = Write("name.txt", "content");
        await StartAsync();
        _uplink.Connect();
        await WaitForDoneAsync();
        _uplink.Clear();

        _manager!.OnServerRejected(
            "name.txt",
            ErrorCodes.UnsupportedName,
            "name not representable on Windows"
        );
        await Wait.UntilAsync(
            () => _manager.GetStatus().Errors == 1,
            Wait.Generous,
            () => "one error in status"
        );
        var stillCounted = Stopwatch.StartNew();
        while (stillCounted.Elapsed < RejectionTracker.ConfirmWindow + TimeSpan.FromSeconds(2))
        {
            Assert.Equal(1, _manager.GetStatus().Errors);
            Assert.Empty(_uplink.RelativePathsOf(MessageTypes.FileModifySync));
            await Task.Delay(100);
        }

        File.WriteAllText(full, "changed content");
        FakeWatcher.RaiseChanged(full);
        await ServerHasAsync("name.txt", "changed content");
    }
}
