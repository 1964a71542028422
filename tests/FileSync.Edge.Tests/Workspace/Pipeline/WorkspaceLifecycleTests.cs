using FileSync.Edge.Tests.Infrastructure;
using FileSync.Edge.Uplink;
using FileSync.Edge.Workspace;
using FileSync.Edge.Workspace.Pipeline;
using Microsoft.Extensions.Logging.Abstractions;

namespace FileSync.Edge.Tests.Workspace.Pipeline;

/// <summary>The workspace's state machine: which moves are allowed, and that any other throws.</summary>
public sealed class WorkspaceLifecycleTests : IDisposable
{
    private readonly TempDirectory _root = new();
    private readonly RecordingUplink _uplink = new();
    private readonly RecordingWorkspaceSignals _signals = new();

    public void Dispose() => _root.Dispose();

    private WorkspaceLifecycle Create() =>
        new(
            _root.Path,
            maxFiles: 10,
            new WorkspaceSender(
                new SyncMessageBuilder(_root.Path),
                _uplink,
                new WorkspaceCounters(TimeProvider.System),
                new SyncTimings(TimeProvider.System),
                TimeProvider.System
            ),
            _signals,
            NullLogger.Instance
        );

    [Theory]
    [InlineData(WorkspaceState.Waiting, WorkspaceState.Syncing)]
    [InlineData(WorkspaceState.Syncing, WorkspaceState.Watching)]
    [InlineData(WorkspaceState.Watching, WorkspaceState.Syncing)]
    [InlineData(WorkspaceState.Syncing, WorkspaceState.Refused)]
    [InlineData(WorkspaceState.Refused, WorkspaceState.Syncing)]
    [InlineData(WorkspaceState.Missing, WorkspaceState.Syncing)]
    [InlineData(WorkspaceState.Missing, WorkspaceState.Refused)]
    [InlineData(WorkspaceState.Watching, WorkspaceState.RootChanged)]
    [InlineData(WorkspaceState.RootChanged, WorkspaceState.Stopped)]
    [InlineData(WorkspaceState.Refused, WorkspaceState.Refused)]
    public void Allowed(WorkspaceState from, WorkspaceState to) =>
        Assert.True(WorkspaceLifecycle.IsAllowed(from, to));

    [Theory]
    [InlineData(WorkspaceState.Waiting, WorkspaceState.Watching)] // only a finished full sync watches
    [InlineData(WorkspaceState.Refused, WorkspaceState.Watching)]
    [InlineData(WorkspaceState.Missing, WorkspaceState.Watching)]
    [InlineData(WorkspaceState.RootChanged, WorkspaceState.Syncing)] // a changed root stays stopped
    [InlineData(WorkspaceState.RootChanged, WorkspaceState.Watching)]
    [InlineData(WorkspaceState.Stopped, WorkspaceState.Syncing)]
    [InlineData(WorkspaceState.Stopped, WorkspaceState.Waiting)]
    public void NotAllowed(WorkspaceState from, WorkspaceState to) =>
        Assert.False(WorkspaceLifecycle.IsAllowed(from, to));

    [Fact]
    public void EveryStateCanStop() =>
        Assert.All(
            Enum.GetValues<WorkspaceState>(),
            state => Assert.True(WorkspaceLifecycle.IsAllowed(state, WorkspaceState.Stopped))
        );

    [Fact]
    public void AMoveNotAllowed_Throws_AndLeavesTheState()
    {
        var lifecycle = Create();
        var error = Assert.Throws<InvalidOperationException>(() =>
            lifecycle.MoveTo(WorkspaceState.Watching)
        );
        Assert.Contains("Waiting cannot change to Watching", error.Message);
        Assert.Equal(WorkspaceState.Waiting, lifecycle.State);
    }

    [Fact]
    public void RootReplacedByALink_IsARootChange_ReportedOnce_AndFinal()
    {
        var lifecycle = Create();
        lifecycle.RecordRoot();
        Assert.False(lifecycle.DetectRootChange());

        var elsewhere = Directory.CreateTempSubdirectory("filesync-elsewhere-").FullName;
        try
        {
            Directory.Delete(_root.Path, recursive: true);
            Directory.CreateSymbolicLink(_root.Path, elsewhere);

            Assert.True(lifecycle.DetectRootChange());
            Assert.True(lifecycle.DetectRootChange());
            Assert.Equal(1, _signals.RootChanges);
            Assert.Equal(WorkspaceState.RootChanged, lifecycle.State);
            Assert.False(lifecycle.RootStillHolds());
            Assert.Contains("no longer the folder it was", lifecycle.LastError);
            Assert.Throws<InvalidOperationException>(() =>
                lifecycle.MoveTo(WorkspaceState.Syncing)
            );
        }
        finally
        {
            if (new FileInfo(_root.Path).LinkTarget is not null)
            {
                File.Delete(_root.Path);
            }
            Directory.Delete(elsewhere, recursive: true);
        }
    }

    [Fact]
    public async Task Refusal_IsSentOncePerSession()
    {
        var lifecycle = Create();
        var session = _uplink.Connect();
        await lifecycle.RefuseAsync(session, 11, CancellationToken.None);
        await lifecycle.RefuseAsync(session, 12, CancellationToken.None);
        Assert.Single(_uplink.Sent);
        Assert.Equal(WorkspaceState.Refused, lifecycle.State);
    }
}
