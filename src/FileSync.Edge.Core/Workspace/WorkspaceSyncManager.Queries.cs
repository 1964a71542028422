using FileSync.Protocol;

namespace FileSync.Edge.Workspace;

/// <summary>What the control stage asks of a workspace: status, listings and reads for the server (thread-safe).</summary>
public sealed partial class WorkspaceSyncManager
{
    /// <summary>A point-in-time view for <c>edge:status</c>.</summary>
    public WorkspaceStatus GetStatus() =>
        new()
        {
            Path = RootPath,
            State = _paused ? "paused" : _state.ToString().ToLowerInvariant(),
            Files = Volatile.Read(ref _statusFiles),
            Bytes = Interlocked.Read(ref _statusBytes),
            Skipped = Volatile.Read(ref _statusSkipped),
            FilesRead = _reader.FilesRead,
            Errors = Volatile.Read(ref _statusErrors),
            LastError = _lastError,
            ErrorFiles = Volatile.Read(ref _statusErrorFiles),
            SkippedFiles = Volatile.Read(ref _statusSkippedFiles),
        };

    /// <summary>True when <paramref name="relativePath"/> is excluded by this workspace's ignore rules.</summary>
    public bool IsExcluded(string relativePath) =>
        _filter.IsIgnored(
            relativePath,
            Directory.Exists(WorkspacePaths.ToFullPath(RootPath, relativePath))
        );

    /// <summary>Reads a file for the server (same size limit and binary rule as sync). Thread-safe.</summary>
    public FileReadResult ReadForServer(string relativePath) =>
        _reader.Read(relativePath, skipIfMatches: null, keepContent: true);

    /// <summary>The filtered list of files that are (or would be) synced, sorted. Thread-safe; scans the disk.</summary>
    public IReadOnlyList<string> ListFiles(CancellationToken cancellationToken = default)
    {
        if (_state == WorkspaceState.RootChanged || !RootIdentityStillHolds())
        {
            return [];
        }
        // Regular files only: a FIFO, socket or device is never synced, so it is not listed either.
        var files = _scanner
            .ScanAll(cancellationToken)
            .Files.Where(f => f.Size <= _options.MaxFileBytes && IsRegularFile(f.RelativePath))
            .Select(f => f.RelativePath)
            .ToList();
        files.Sort(StringComparer.Ordinal);
        return files;
    }

    /// <summary>
    /// What <c>ctx:workspace_request</c> tells (relative paths, sorted): the files that are synced, the files
    /// that are not (ignored, too large, not regular), and the ignored folders (not entered). Thread-safe.
    /// </summary>
    public (
        IReadOnlyList<string> Synced,
        IReadOnlyList<string> FilteredFiles,
        IReadOnlyList<string> FilteredDirectories
    ) Describe(CancellationToken cancellationToken = default)
    {
        if (_state == WorkspaceState.RootChanged || !RootIdentityStillHolds())
        {
            return ([], [], []);
        }
        var scan = _scanner.Scan("", collectIgnored: true, cancellationToken);
        var synced = new List<string>();
        var filtered = new List<string>(scan.IgnoredFiles);
        foreach (var file in scan.Files)
        {
            (
                file.Size <= _options.MaxFileBytes && IsRegularFile(file.RelativePath)
                    ? synced
                    : filtered
            ).Add(file.RelativePath);
        }
        synced.Sort(StringComparer.Ordinal);
        filtered.Sort(StringComparer.Ordinal);
        scan.IgnoredDirectories.Sort(StringComparer.Ordinal);
        return (synced, filtered, scan.IgnoredDirectories);
    }

    /// <summary>
    /// The entries of a folder of the workspace as the server may see them: one name per line, sorted,
    /// '/' after folders; ignored entries, links and special files left out. Thread-safe; reads the disk.
    /// </summary>
    public string ListDirectory(string relativeDirectory)
    {
        if (_state == WorkspaceState.RootChanged || !RootIdentityStillHolds())
        {
            return "";
        }
        var names = new List<string>();
        var full = WorkspacePaths.ToFullPath(RootPath, relativeDirectory);
        foreach (var entry in new DirectoryInfo(full).EnumerateFileSystemInfos())
        {
            var relative =
                relativeDirectory.Length == 0 ? entry.Name : relativeDirectory + "/" + entry.Name;
            var stamp = FileStamp.Of(entry.FullName);
            var isDirectory = stamp.Kind == FileKind.Directory;
            if (
                stamp.Kind is not (FileKind.Directory or FileKind.RegularFile)
                || IsInsideGitDirectory(relative)
                || _filter.IsIgnored(relative, isDirectory)
            )
            {
                continue;
            }
            names.Add(isDirectory ? entry.Name + "/" : entry.Name);
        }
        names.Sort(StringComparer.Ordinal);
        return string.Join('\n', names);
    }

    private bool IsRegularFile(string relativePath)
    {
        try
        {
            return FileStamp.Of(WorkspacePaths.ToFullPath(RootPath, relativePath)).Kind
                == FileKind.RegularFile;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Thread-safe look (no state change) at whether the root is still the folder it was.</summary>
    private bool RootIdentityStillHolds() =>
        Volatile.Read(ref _rootIdentity) is not { } known
        || RootIdentity.Of(RootPath) is not { } now
        || known.ChangeTo(now) is null;
}
