using FileSync.Edge.Filtering;
using FileSync.Edge.Filtering.Secrets;

namespace FileSync.Edge.Workspace.Pipeline;

/// <summary>
/// What the server and the local commands may ask of a workspace beside syncing: listings and reads.
/// Thread-safe (reads the disk, never the loop's state); nothing is answered once the root changed.
/// </summary>
internal sealed class WorkspaceQueries(
    string rootPath,
    long maxFileBytes,
    WorkspaceLifecycle lifecycle,
    WorkspaceIgnoreFilter filter,
    WorkspaceScanner scanner,
    FileContentReader reader,
    SecretGuard guard
)
{
    private string RootPath => rootPath;

    /// <summary>True when <paramref name="relativePath"/> is excluded by this workspace's ignore rules.</summary>
    public bool IsExcluded(string relativePath) =>
        filter.IsIgnored(relativePath, Directory.Exists(DiskNames.Find(RootPath, relativePath)));

    /// <summary>Reads a file for the server (same size limit and binary rule as sync).</summary>
    public FileReadResult ReadForServer(string relativePath) =>
        reader.Read(relativePath, skipIfMatches: null, keepContent: true);

    /// <summary>The filtered list of files that are (or would be) synced, sorted. Scans the disk.</summary>
    public IReadOnlyList<string> ListFiles(CancellationToken cancellationToken)
    {
        if (!lifecycle.RootStillHolds())
        {
            return [];
        }
        // Regular files only: a FIFO, socket or device is never synced, so it is not listed either.
        var files = scanner
            .ScanAll(cancellationToken)
            .Files.Where(f => IsSyncable(f.RelativePath, f.Size))
            .Select(f => f.RelativePath)
            .ToList();
        files.Sort(StringComparer.Ordinal);
        return files;
    }

    /// <summary>
    /// What <c>ctx:workspace_request</c> tells (relative paths, sorted): the files that are synced, the files
    /// that are not (ignored, too large, not regular), and the ignored folders (not entered).
    /// </summary>
    public (
        IReadOnlyList<string> Synced,
        IReadOnlyList<string> FilteredFiles,
        IReadOnlyList<string> FilteredDirectories
    ) Describe(CancellationToken cancellationToken)
    {
        if (!lifecycle.RootStillHolds())
        {
            return ([], [], []);
        }
        var scan = scanner.Scan("", collectIgnored: true, cancellationToken);
        var synced = new List<string>();
        var filtered = new List<string>(scan.IgnoredFiles);
        foreach (var file in scan.Files)
        {
            (IsSyncable(file.RelativePath, file.Size) ? synced : filtered).Add(file.RelativePath);
        }
        synced.Sort(StringComparer.Ordinal);
        filtered.Sort(StringComparer.Ordinal);
        scan.IgnoredDirectories.Sort(StringComparer.Ordinal);
        return (synced, filtered, scan.IgnoredDirectories);
    }

    /// <summary>
    /// The entries of a folder of the workspace as the server may see them: one name per line, sorted,
    /// '/' after folders; ignored entries, links and special files left out.
    /// </summary>
    public string ListDirectory(string relativeDirectory)
    {
        if (!lifecycle.RootStillHolds())
        {
            return "";
        }
        var names = new List<string>();
        var full = DiskNames.Find(RootPath, relativeDirectory);
        foreach (var entry in new DirectoryInfo(full).EnumerateFileSystemInfos())
        {
            var name = DiskNames.ToWireName(entry.Name);
            var relative = relativeDirectory.Length == 0 ? name : relativeDirectory + "/" + name;
            var stamp = FileStamp.Of(entry.FullName);
            var isDirectory = stamp.Kind == FileKind.Directory;
            if (
                stamp.Kind is not (FileKind.Directory or FileKind.RegularFile)
                || GitDirectory.Contains(relative)
                || filter.IsIgnored(relative, isDirectory)
            )
            {
                continue;
            }
            names.Add(isDirectory ? name + "/" : name);
        }
        names.Sort(StringComparer.Ordinal);
        return string.Join('\n', names);
    }

    // A credential file by name is withheld, so it is listed as filtered, not synced (content rules need a read: not here).
    private bool IsSyncable(string relativePath, long size) =>
        size <= maxFileBytes
        && guard.CheckName(relativePath) is null
        && IsRegularFile(relativePath);

    private bool IsRegularFile(string relativePath)
    {
        try
        {
            return FileStamp.Of(DiskNames.Find(RootPath, relativePath)).Kind
                == FileKind.RegularFile;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
