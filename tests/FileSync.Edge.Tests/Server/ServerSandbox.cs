namespace FileSync.Edge.Tests.Server;

/// <summary>
/// A fresh temp folder per test: <see cref="MirrorDirectory"/> inside it, and the folder itself to
/// check that nothing was written outside the mirror.
/// </summary>
internal sealed class ServerSandbox : IDisposable
{
    private readonly TempDirectory _folder = new(inMemory: false, prefix: "filesync-server-tests-");

    public ServerSandbox()
    {
        MirrorDirectory = Directory.CreateDirectory(_folder.Combine("mirror")).FullName;
    }

    public string Root => _folder.Path;

    public string MirrorDirectory { get; }

    /// <summary>Path of a mirrored file: <c>mirror/&lt;workspace&gt;/&lt;relative path&gt;</c>.</summary>
    public string MirrorPath(string workspace, string relativePath) =>
        _folder.Combine($"mirror/{workspace}/{relativePath}");

    /// <summary>Every file under <see cref="Root"/>, relative to it, '/'-separated and sorted.</summary>
    public IReadOnlyList<string> AllFiles() => _folder.Files();

    /// <summary>Files of one mirrored workspace, relative to its folder, sorted.</summary>
    public IReadOnlyList<string> WorkspaceFiles(string workspace) =>
        _folder.Files($"mirror/{workspace}");

    public void Dispose() => _folder.Dispose();
}
