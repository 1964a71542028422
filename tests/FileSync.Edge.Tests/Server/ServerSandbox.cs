namespace FileSync.Edge.Tests.Server;

/// <summary>
/// A fresh temp folder per test: <see cref="MirrorDirectory"/> inside it, and the folder itself to
/// check that nothing was written outside the mirror.
/// </summary>
internal sealed class ServerSandbox : IDisposable
{
    public ServerSandbox()
    {
        Root = Path.Combine(
            Path.GetTempPath(),
            "filesync-server-tests",
            Guid.NewGuid().ToString("N")
        );
        MirrorDirectory = Path.Combine(Root, "mirror");
        Directory.CreateDirectory(MirrorDirectory);
    }

    public string Root { get; }

    public string MirrorDirectory { get; }

    /// <summary>Path of a mirrored file: <c>mirror/&lt;workspace&gt;/&lt;relative path&gt;</c>.</summary>
    public string MirrorPath(string workspace, string relativePath) =>
        Path.Combine([MirrorDirectory, workspace, .. relativePath.Split('/')]);

    /// <summary>Every file under <see cref="Root"/>, relative to it, '/'-separated and sorted.</summary>
    public IReadOnlyList<string> AllFiles() =>
        [
            .. Directory
                .EnumerateFiles(
                    Root,
                    "*",
                    new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }
                )
                .Select(f =>
                    Path.GetRelativePath(Root, f).Replace(Path.DirectorySeparatorChar, '/')
                )
                .Order(StringComparer.Ordinal),
        ];

    /// <summary>Files of one mirrored workspace, relative to its folder, sorted.</summary>
    public IReadOnlyList<string> WorkspaceFiles(string workspace)
    {
        var folder = Path.Combine(MirrorDirectory, workspace);
        return Directory.Exists(folder)
            ?
            [
                .. Directory
                    .EnumerateFiles(
                        folder,
                        "*",
                        new EnumerationOptions
                        {
                            RecurseSubdirectories = true,
                            AttributesToSkip = 0,
                        }
                    )
                    .Select(f =>
                        Path.GetRelativePath(folder, f).Replace(Path.DirectorySeparatorChar, '/')
                    )
                    .Order(StringComparer.Ordinal),
            ]
            : [];
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort; the OS temp cleaner gets the rest.
        }
        catch (UnauthorizedAccessException)
        {
            // Same.
        }
    }
}
