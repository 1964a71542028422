using FileSync.Edge.Tests.Infrastructure;
using FileSync.Edge.Workspace;
using FileSync.Protocol;
using Microsoft.Extensions.Logging.Abstractions;

namespace FileSync.Edge.Tests.Workspace;

/// <summary>
/// The pause gate of <see cref="WorkspaceSync"/>: a paused workspace sends nothing (not even a new
/// session's full sync) while its changes pile up as pending, and resuming sends them. A second,
/// running workspace on the same uplink is the signal that the paused one had every chance to send.
/// </summary>
public sealed class WorkspacePauseTests : IAsyncLifetime
{
    private readonly TempDirectory _paused = new();
    private readonly TempDirectory _running = new();
    private readonly RecordingUplink _uplink = new();
    private readonly FakeWorkspaceWatcherFactory _watchers = new();
    private readonly List<WorkspaceSync> _managers = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var manager in _managers)
        {
            await manager.DisposeAsync();
        }
        _paused.Dispose();
        _running.Dispose();
    }

    private async Task<WorkspaceSync> StartAsync(string root)
    {
        var manager = new WorkspaceSync(
            root,
            new SyncOptions
            {
                BatchMilliseconds = 20,
                SettleMilliseconds = 0,
                RescanMinutes = 0,
            },
            _uplink,
            _watchers,
            TimeProvider.System,
            NullLogger.Instance
        );
        _managers.Add(manager);
        await manager.StartAsync();
        return manager;
    }

    private List<ProtocolMessage> From(string root) =>
        [
            .. _uplink.Sent.Where(m =>
                m.Payload.TryGetProperty("workspace", out var w) && w.GetString() == root
                || m.Type == MessageTypes.FileDone
                    && m.Payload.GetProperty("path").GetString() == root
            ),
        ];

    private Task WaitForDoneAsync(string root, int count = 1) =>
        Wait.UntilAsync(
            () => From(root).Count(m => m.Type == MessageTypes.FileDone) >= count,
            Wait.Generous,
            () => $"{count} file_done of {root}"
        );

    private void Change(TempDirectory workspace, string relativePath, string content)
    {
        var full = workspace.Write(relativePath, content);
        _watchers.Watchers[workspace.Path].RaiseChanged(full);
    }

    [Fact]
    public async Task Paused_NewSession_SendsNoFullSync_ResumeSendsEverything()
    {
        _paused.Write("a.txt", "before the connection");
        _running.Write("b.txt", "control");
        var paused = await StartAsync(_paused.Path);
        paused.Pause();
        await StartAsync(_running.Path);

        _uplink.Connect();
        await WaitForDoneAsync(_running.Path);
        Change(_paused, "c.txt", "while paused");
        await Wait.UntilAsync(
            () => paused.PendingChanges >= 1,
            Wait.Generous,
            () => "the change to be pending"
        );

        Assert.Empty(From(_paused.Path));
        Assert.True(paused.IsPaused);
        Assert.Equal("paused", paused.GetStatus().State);

        paused.Resume();
        await WaitForDoneAsync(_paused.Path);
        Assert.False(paused.IsPaused);
        Assert.Equal(
            ["a.txt", "c.txt"],
            From(_paused.Path)
                .Where(m => m.Type == MessageTypes.FileCreateSync)
                .Select(m => m.Payload.GetProperty("relativePath").GetString())
                .Order(StringComparer.Ordinal)
        );
        Assert.NotNull(paused.LastSyncAt);
    }

    [Fact]
    public async Task PausedAfterSync_ChangesArePending_ResumeSendsThemWithTheirContent()
    {
        _paused.Write("a.txt", "version 1");
        _running.Write("b.txt", "control 1");
        var paused = await StartAsync(_paused.Path);
        await StartAsync(_running.Path);
        _uplink.Connect();
        await WaitForDoneAsync(_paused.Path);
        await WaitForDoneAsync(_running.Path);
        _uplink.Clear();

        paused.Pause();
        Change(_paused, "a.txt", "version 2");
        Change(_paused, "new.txt", "created while paused");
        File.Delete(Path.Combine(_paused.Path, "a.txt"));
        _watchers.Watchers[_paused.Path].RaiseChanged(Path.Combine(_paused.Path, "a.txt"));
        Change(_running, "b.txt", "control 2");
        await Wait.UntilAsync(
            () => From(_running.Path).Any(m => m.Type == MessageTypes.FileModifySync),
            Wait.Generous,
            () => "the running workspace's change to go out"
        );
        await Wait.UntilAsync(
            () => paused.PendingChanges == 2,
            Wait.Generous,
            () => $"two pending paths (a.txt, new.txt), got {paused.PendingChanges}"
        );
        Assert.Empty(From(_paused.Path));

        paused.Resume();
        await Wait.UntilAsync(
            () => From(_paused.Path).Count >= 2,
            Wait.Generous,
            () => "the pending changes to go out on resume"
        );
        var sent = From(_paused.Path);
        Assert.Equal(
            ["a.txt"],
            sent.Where(m => m.Type == MessageTypes.FileDeleteSync)
                .Select(m => m.Payload.GetProperty("relativePath").GetString())
        );
        var created = Assert.Single(sent, m => m.Type == MessageTypes.FileCreateSync);
        Assert.Equal("created while paused", RecordingUplink.Text(created));
        Assert.Equal(0, paused.PendingChanges);
    }
}
