using FileSync.Edge.Workspace;
using FileSync.Edge.Workspace.Pipeline;
using FileSync.Protocol;

namespace FileSync.Edge.Tests.Workspace.Pipeline;

/// <summary>
/// Files the server could not apply (RejectionRetrier): a transient rejection is counted by name, retried
/// and cleared once applied (on the real clock); a permanent one waits for the file to change (on a test
/// clock moved past every backoff).
/// </summary>
public sealed class RejectionRetrierIntegrityTests : WorkspaceSyncWithStateFixture
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
        var time = new TestTimeProvider();
        await StartAsync(time: time);
        _uplink.Connect();
        await WaitForDoneAsync();
        _uplink.Clear();

        _manager!.OnServerRejected(
            "name.txt",
            ErrorCodes.UnsupportedName,
            "name not representable on Windows"
        );
        await AdvanceUntilAsync(
            time,
            () => _manager.GetStatus().Errors == 1,
            "one error in status"
        );
        // Past the longest backoff and the confirmation window: a retried file would be due by now. A
        // change of another file, batched after that moment, shows how far the loop has got.
        time.Advance(RejectionRetrier.MaxRetryDelay + RejectionRetrier.ConfirmWindow);
        FakeWatcher.RaiseChanged(Write("marker.txt", "batched after every backoff"));
        await AdvanceUntilAsync(
            time,
            () => ServerCopy.ContainsKey("marker.txt"),
            "the marker file sent"
        );

        Assert.Equal(1, _manager.GetStatus().Errors);
        Assert.DoesNotContain("name.txt", SentPaths());

        File.WriteAllText(full, "changed content");
        FakeWatcher.RaiseChanged(full);
        await AdvanceUntilAsync(
            time,
            () => SentPaths().Contains("name.txt"),
            "name.txt sent once changed"
        );
        Assert.Equal(
            "changed content",
            System.Text.Encoding.UTF8.GetString(ServerCopy["name.txt"])
        );
    }

    private IEnumerable<string> SentPaths() =>
        _uplink
            .RelativePathsOf(MessageTypes.FileCreateSync)
            .Concat(_uplink.RelativePathsOf(MessageTypes.FileModifySync));

    /// <summary>Moves the test clock on by the batch interval (20 ms) until <paramref name="condition"/> holds.</summary>
    private static Task AdvanceUntilAsync(
        TestTimeProvider time,
        Func<bool> condition,
        string what
    ) =>
        Wait.UntilAsync(
            () =>
            {
                if (condition())
                {
                    return true;
                }
                time.Advance(TimeSpan.FromMilliseconds(20));
                return false;
            },
            Wait.Generous,
            () => what
        );
}
