using System.Diagnostics;
using System.Text;
using FileSync.Edge.Tests.Infrastructure;
using FileSync.Edge.Watching;
using FileSync.Edge.Workspace;
using FileSync.Protocol;
using Microsoft.Extensions.Logging.Abstractions;

namespace FileSync.Edge.Tests.Workspace;

/// <summary>
/// A <see cref="WorkspaceSync"/> over real files in a workspace folder whose parent also holds the index
/// state (persisted on request, so a test can stop and start again) and, for some tests, a folder beside
/// the workspace (so the root can be swapped for a link); a recording uplink, a real or fake watcher per
/// test, and the real clock unless the test passes its own. Unlike <see cref="WorkspaceSyncFixture"/>,
/// the root is not a temp folder of its own. Used by the integrity tests (same-size edits with a restored
/// mtime, files the server could not apply, names the protocol cannot carry, a workspace over the file
/// limit that shrinks, a root swapped for a link), named after the stage or type they pin.
/// </summary>
public abstract class WorkspaceSyncWithStateFixture : WorkspaceFolderFixture
{
    private readonly FakeWorkspaceWatcherFactory _fakeWatchers = new();

    private string StateDirectory => Path.Combine(_parent.Path, "state");

    protected async Task<WorkspaceSync> StartAsync(
        bool realWatcher = false,
        int maxFiles = 2000,
        bool persistIndex = false,
        TimeProvider? time = null
    )
    {
        var options = new SyncOptions
        {
            BatchMilliseconds = 20,
            SettleMilliseconds = 0,
            RescanMinutes = 0,
            MaxFiles = maxFiles,
        };
        IWorkspaceWatcherFactory watchers = realWatcher
            ? new WorkspaceWatcherFactory(NullLoggerFactory.Instance)
            : _fakeWatchers;
        _manager = new WorkspaceSync(
            Root,
            options,
            _uplink,
            watchers,
            time ?? TimeProvider.System,
            NullLogger.Instance,
            indexStore: persistIndex ? new WorkspaceIndexStore(StateDirectory) : null
        );
        await _manager.StartAsync();
        return _manager;
    }

    protected async Task StopAsync()
    {
        await _manager!.DisposeAsync();
        _manager = null;
        _uplink.Disconnect();
    }

    protected Task WaitForDoneAsync(int count = 1) =>
        Wait.UntilAsync(
            () => _uplink.OfType(MessageTypes.FileDone).Count >= count,
            Wait.Generous,
            () => $"{count} file_done"
        );

    protected Dictionary<string, byte[]> ServerCopy => MessageMirror.Apply(_uplink.Sent);

    protected Task ServerHasAsync(string relativePath, string content) =>
        Wait.UntilAsync(
            () =>
                ServerCopy.TryGetValue(relativePath, out var bytes)
                && Encoding.UTF8.GetString(bytes) == content,
            Wait.Generous,
            () => $"the server's copy of {relativePath} to be '{content}'"
        );

    protected FakeWorkspaceWatcher FakeWatcher => _fakeWatchers.Watchers.Values.Last();

    protected static void RunBash(string directory, string script)
    {
        var info = new ProcessStartInfo("bash")
        {
            WorkingDirectory = directory,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"bash failed: {error}");
    }
}
