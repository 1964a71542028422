namespace FileSync.Edge.Workspace;

/// <summary>Planning a batch: dirty paths into the files to re-check.</summary>
public sealed partial class WorkspaceSyncManager
{
    /// <summary>
    /// Turns dirty paths into the files to re-check: a directory expands into the files under it on disk
    /// (a new directory's files may predate its watch) and in the index (a deleted or renamed directory).
    /// </summary>
    private HashSet<string> ExpandDirtyPaths(
        HashSet<string> dirty,
        CancellationToken cancellationToken
    )
    {
        var candidates = new HashSet<string>(PathComparer.Default);
        var safeDirectories = new HashSet<string>(PathComparer.Default);
        if (
            dirty.Any(p =>
                !_index.Contains(p) && !File.Exists(WorkspacePaths.ToFullPath(RootPath, p))
            )
        )
        {
            // A directory appeared, vanished or moved: ignore files may have come or gone with it.
            _filter.Invalidate();
        }
        foreach (var path in dirty)
        {
            if (!HasNoLinkedAncestor(path, safeDirectories))
            {
                // Reached through a symlinked directory: never read; whatever we had there is gone.
                AddIndexedUnder(path, candidates);
                candidates.Add(path);
                continue;
            }
            var fullPath = WorkspacePaths.ToFullPath(RootPath, path);
            var directory = new DirectoryInfo(fullPath);
            if (directory.Exists && directory.LinkTarget is null)
            {
                if (!_filter.IsIgnored(path, isDirectory: true))
                {
                    var scan = _scanner.Scan(path, cancellationToken);
                    foreach (var file in scan.Files)
                    {
                        candidates.Add(file.RelativePath);
                    }
                    RecordUnreadableDirectories(scan);
                    RecordInvalidNames(scan, complete: false);
                }
                AddIndexedUnder(path, candidates);
                continue;
            }
            candidates.Add(path);
            if (!_index.Contains(path) && !_serverState.ContainsKey(path))
            {
                AddIndexedUnder(path, candidates);
            }
        }
        return candidates;
    }

    private void AddIndexedUnder(string directory, HashSet<string> candidates)
    {
        foreach (var path in _index.PathsUnder(directory))
        {
            candidates.Add(path);
        }
        var prefix = directory + "/";
        foreach (var path in _serverState.Keys)
        {
            if (path.StartsWith(prefix, PathComparer.Comparison))
            {
                candidates.Add(path);
            }
        }
    }

    /// <summary>True when no directory between the root and <paramref name="relativePath"/> is a symlink.</summary>
    private bool HasNoLinkedAncestor(string relativePath, HashSet<string> verified)
    {
        var parent = WorkspacePaths.Parent(relativePath);
        while (parent.Length > 0 && !verified.Contains(parent))
        {
            var info = new DirectoryInfo(WorkspacePaths.ToFullPath(RootPath, parent));
            if (info.Exists && info.LinkTarget is not null)
            {
                return false;
            }
            verified.Add(parent);
            parent = WorkspacePaths.Parent(parent);
        }
        return true;
    }
}
