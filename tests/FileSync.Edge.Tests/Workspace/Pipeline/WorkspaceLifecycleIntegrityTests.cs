using FileSync.Edge.Tests.Infrastructure;
using FileSync.Edge.Workspace;
using FileSync.Protocol;

namespace FileSync.Edge.Tests.Workspace.Pipeline;

/// <summary>
/// States a workspace leaves or stops in by itself, with real watching (WorkspaceLifecycle): Refused for
/// too many files resumes once files are deleted; a root replaced by a link, or deleted and then linked,
/// ends in RootChanged and sends nothing from outside.
/// </summary>
public sealed class WorkspaceLifecycleIntegrityTests : WorkspaceSyncWithStateFixture
{
    [Fact]
    public async Task RefusedForTooManyFiles_FilesDeletedBelowTheLimit_ResumesByItself()
    {
        for (var i = 0; i < 7; i++)
        {
            Write($"f{i}.txt", $"file {i}");
        }
        await StartAsync(realWatcher: true, maxFiles: 5);
        _uplink.Connect();
        await Wait.UntilAsync(
            () => _manager!.State == WorkspaceState.Refused,
            Wait.Generous,
            () => "refused"
        );
        Assert.Contains("7 files", _manager!.LastError);

        Write("f7.txt", "one more");
        await Wait.UntilAsync(
            () => _manager.LastError?.Contains("8 files", StringComparison.Ordinal) == true,
            Wait.Generous,
            () => "the count kept up to date"
        );
        for (var i = 0; i < 4; i++)
        {
            File.Delete(Path.Combine(Root, $"f{i}.txt"));
        }

        await Wait.UntilAsync(
            () => _manager.State == WorkspaceState.Watching,
            Wait.Generous,
            () => $"watching again, is {_manager.State}"
        );
        await MirrorAssert.EqualsEventuallyAsync(
            () => MirrorAssert.FilesOf(Root),
            () => ServerCopy
        );
    }

    /// <summary>A synced workspace with real watching, and beside it a folder holding a secret.</summary>
    private async Task<string> StartBesideASecretFolderAsync()
    {
        var outside = Path.Combine(_parent.Path, "outside");
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(outside, "secret.txt"), "private key");
        Write("a.txt", "mine");
        await StartAsync(realWatcher: true);
        _uplink.Connect();
        await WaitForDoneAsync();
        return outside;
    }

    private Task WaitForRootChangedReportAsync() =>
        Wait.UntilAsync(
            () =>
                _uplink
                    .OfType(MessageTypes.SyncError)
                    .Any(e => e.Payload.GetProperty("code").GetString() == ErrorCodes.RootChanged),
            Wait.Generous,
            () => "a sync_error with code root_changed"
        );

    private void AssertNothingPrivateSent() =>
        Assert.DoesNotContain(
            _uplink.Sent,
            m =>
                m.Payload.TryGetProperty("content", out var c)
                && c.GetString()!.Contains("private", StringComparison.Ordinal)
        );

    [Fact]
    public async Task RootReplacedByLink_StopsAndNeverSendsWhatIsOutside()
    {
        var outside = await StartBesideASecretFolderAsync();

        Directory.Delete(Root, recursive: true);
        Directory.CreateSymbolicLink(Root, outside);

        await Wait.UntilAsync(
            () => _manager!.State == WorkspaceState.RootChanged,
            Wait.Generous,
            () => $"stopped, is {_manager!.State}"
        );
        Assert.Contains("link", _manager!.LastError);
        File.WriteAllText(Path.Combine(outside, "later.txt"), "also private");
        _manager.RequestRescan();
        _manager.RequestResync();
        // The root may be reported missing first (deleted, then linked): root_changed must follow.
        await WaitForRootChangedReportAsync();
        AssertNothingPrivateSent();
        Assert.Empty(_manager.ListFiles());
    }

    [Fact]
    public async Task RootDeletedReportedMissingThenLinked_RootChangedStillReported()
    {
        var outside = await StartBesideASecretFolderAsync();

        Directory.Delete(Root, recursive: true);
        await Wait.UntilAsync(
            () => _manager!.State == WorkspaceState.Missing,
            Wait.Generous,
            () => $"missing, is {_manager!.State}"
        );
        Directory.CreateSymbolicLink(Root, outside);
        _manager!.RequestRescan();

        await WaitForRootChangedReportAsync();
        Assert.Equal(WorkspaceState.RootChanged, _manager.State);
        AssertNothingPrivateSent();
    }
}
