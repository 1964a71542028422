using FileSync.Edge.Workspace;
using FileSync.Protocol;

namespace FileSync.Edge.Tests.Workspace.Pipeline;

/// <summary>
/// The Refused state over real files (WorkspaceLifecycle, with FullSync's file count): a workspace over
/// the file limit is refused with one sync_error, and syncs once an .aishignore brings it under.
/// </summary>
public sealed class WorkspaceLifecycleBehaviourTests : WorkspaceSyncFixture
{
    [Fact]
    public async Task InitialSync_OverFileLimit_RefusesWithSyncErrorAndSendsNoFiles()
    {
        for (var i = 0; i < 11; i++)
        {
            _workspace.Write($"f{i}.txt", "x");
        }
        var manager = await StartAsync(
            new SyncOptions
            {
                MaxFiles = 10,
                BatchMilliseconds = 20,
                RescanMinutes = 0,
            }
        );

        _uplink.Connect();
        await manager.InitialSyncCompleted.OrTimeout();

        var error = Assert.Single(_uplink.Sent);
        Assert.Equal(MessageTypes.SyncError, error.Type);
        Assert.Equal("too_many_files", error.Payload.GetProperty("code").GetString());
        Assert.Equal(11, error.Payload.GetProperty("count").GetInt32());
        Assert.Equal(10, error.Payload.GetProperty("limit").GetInt32());
        Assert.Contains(".aishignore", error.Payload.GetProperty("message").GetString());
        Assert.Equal(WorkspaceState.Refused, manager.State);
    }

    [Fact]
    public async Task Refused_AishignoreBringsCountUnderLimit_SyncsWorkspace()
    {
        for (var i = 0; i < 11; i++)
        {
            _workspace.Write($"gen/f{i}.txt", "x");
        }
        _workspace.Write("main.txt", "m");
        var manager = await StartAsync(
            new SyncOptions
            {
                MaxFiles = 10,
                BatchMilliseconds = 20,
                RescanMinutes = 0,
            }
        );
        _uplink.Connect();
        await manager.InitialSyncCompleted.OrTimeout();
        Assert.Equal(WorkspaceState.Refused, manager.State);

        _workspace.Write(".aishignore", "gen/\n");
        Touch(".aishignore");

        await WaitForDoneAsync();
        Assert.Equal(
            [".aishignore", "main.txt"],
            _uplink.RelativePathsOf(MessageTypes.FileCreateSync).Order(StringComparer.Ordinal)
        );
        Assert.Equal(WorkspaceState.Watching, manager.State);
    }
}
