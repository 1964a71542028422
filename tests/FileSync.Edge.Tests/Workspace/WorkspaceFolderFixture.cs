using FileSync.Edge.Tests.Infrastructure;
using FileSync.Edge.Workspace;

namespace FileSync.Edge.Tests.Workspace;

/// <summary>
/// A workspace folder <c>ws/</c> under a fresh parent folder (which may also hold the index state or a
/// folder beside the workspace), a recording uplink, and the engine the test starts, stopped at the end.
/// </summary>
public abstract class WorkspaceFolderFixture : IAsyncLifetime
{
    protected readonly TempDirectory _parent = new();
    protected readonly RecordingUplink _uplink = new();
    protected WorkspaceSync? _manager;

    protected string Root => Path.Combine(_parent.Path, "ws");

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(Root);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_manager is not null)
        {
            await _manager.DisposeAsync();
        }
        _parent.Dispose();
    }

    /// <summary>Writes a file of the workspace (creating its folders); returns its full path.</summary>
    protected string Write(string relativePath, string content)
    {
        var full = Path.Combine(Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        return full;
    }
}
