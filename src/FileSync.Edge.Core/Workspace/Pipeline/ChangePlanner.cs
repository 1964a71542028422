using FileSync.Edge.Filtering;
using FileSync.Protocol;
using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Workspace.Pipeline;

/// <summary>
/// Turns what may have changed into the files to re-check, each with what the index and the server
/// had for it: changed paths (a directory expands into the files under it, on disk and in the index),
/// or a scan of the whole workspace. Records what a scan could not read or name.
/// </summary>
internal sealed partial class ChangePlanner(
    string rootPath,
    WorkspaceIndex index,
    ServerHoldings server,
    WorkspaceIgnoreFilter filter,
    WorkspaceScanner scanner,
    WorkspaceCounters counters,
    Action requestRewatch,
    ILogger logger
)
{
    /// <summary>The files to re-check for changed paths.</summary>
    public List<WorkItem> PlanChanges(
        HashSet<string> dirty,
        SyncBatch batch,
        CancellationToken cancellationToken
    ) => Items(ExpandDirtyPaths(dirty, cancellationToken), batch);

    /// <summary>Scans the whole workspace, recording unreadable folders and undecodable names.</summary>
    public ScanResult ScanAll(CancellationToken cancellationToken)
    {
        var scan = scanner.ScanAll(cancellationToken);
        RecordUnreadableDirectories(scan);
        RecordInvalidNames(scan, complete: true);
        RecordNameConflicts(scan, complete: true);
        return scan;
    }

    /// <summary>
    /// The files to re-check after a scan of the whole workspace: everything on disk, in the index and
    /// on the server — except under a folder that could not be read (its files are not known gone).
    /// </summary>
    public List<WorkItem> PlanFullScan(ScanResult scan, SyncBatch batch)
    {
        var candidates = new HashSet<string>(PathComparer.WireNames);
        foreach (var file in scan.Files)
        {
            candidates.Add(file.RelativePath);
        }
        foreach (var path in index.Paths.Concat(server.Paths))
        {
            if (!IsUnderUnreadableDirectory(path, scan))
            {
                candidates.Add(path);
            }
        }
        return Items(candidates, batch);
    }

    /// <summary>The given files (those the server asked for).</summary>
    public List<WorkItem> Items(IEnumerable<string> paths, SyncBatch batch)
    {
        var items = new List<WorkItem>();
        foreach (var path in paths)
        {
            FileEntry? indexed = index.TryGet(path, out var entry) ? entry : null;
            var serverHash = batch.ResendAll ? null : server.HashOf(path);
            items.Add(new WorkItem(path, indexed, serverHash));
        }
        batch.Total = items.Count;
        return items;
    }

    /// <summary>
    /// A directory expands into the files under it on disk (a new directory's files may predate its
    /// watch) and in the index (a deleted or renamed directory).
    /// </summary>
    private HashSet<string> ExpandDirtyPaths(
        HashSet<string> dirty,
        CancellationToken cancellationToken
    )
    {
        var candidates = new HashSet<string>(PathComparer.WireNames);
        var safeDirectories = new HashSet<string>(PathComparer.WireNames);
        if (dirty.Any(p => !index.Contains(p) && !File.Exists(DiskPath(p))))
        {
            // A directory appeared, vanished or moved: ignore files may have come or gone with it.
            filter.Invalidate();
        }
        foreach (var path in dirty)
        {
            if (!HasNoLinkedAncestor(path, safeDirectories))
            {
                // Reached through a symlinked directory: never read; whatever we had there is gone.
                AddKnownUnder(path, candidates);
                candidates.Add(path);
                continue;
            }
            var directory = DiskPath(path) is { } fullPath ? new DirectoryInfo(fullPath) : null;
            if (directory is { Exists: true, LinkTarget: null })
            {
                if (!filter.IsIgnored(path, isDirectory: true))
                {
                    var scan = scanner.Scan(path, cancellationToken);
                    foreach (var file in scan.Files)
                    {
                        candidates.Add(file.RelativePath);
                    }
                    RecordUnreadableDirectories(scan);
                    RecordInvalidNames(scan, complete: false);
                    RecordNameConflicts(scan, complete: false);
                }
                AddKnownUnder(path, candidates);
                continue;
            }
            candidates.Add(path);
            if (!index.Contains(path) && !server.MayHold(path))
            {
                AddKnownUnder(path, candidates);
            }
        }
        return candidates;
    }

    /// <summary>The disk entry a wire path stands for, null when there is none (see <see cref="DiskNames"/>).</summary>
    private string? DiskPath(string relativePath) =>
        DiskNames.ToDiskPath(rootPath, relativePath, scanner.CaseInsensitiveDisk);

    private void AddKnownUnder(string directory, HashSet<string> candidates)
    {
        candidates.UnionWith(index.PathsUnder(directory));
        candidates.UnionWith(server.PathsUnder(directory));
    }

    /// <summary>True when no directory between the root and <paramref name="relativePath"/> is a symlink.</summary>
    private bool HasNoLinkedAncestor(string relativePath, HashSet<string> verified)
    {
        var parent = WorkspacePaths.Parent(relativePath);
        while (parent.Length > 0 && !verified.Contains(parent))
        {
            if (
                DiskPath(parent) is { } fullPath
                && new DirectoryInfo(fullPath) is { Exists: true, LinkTarget: not null }
            )
            {
                return false;
            }
            verified.Add(parent);
            parent = WorkspacePaths.Parent(parent);
        }
        return true;
    }

    /// <summary>
    /// Counts and names the entries whose names are not valid UTF-8 (see <see cref="UndecodableNames"/>);
    /// a <paramref name="complete"/> scan of the whole workspace also forgets those gone.
    /// </summary>
    private void RecordInvalidNames(ScanResult scan, bool complete)
    {
        if (complete)
        {
            var current = new HashSet<string>(scan.InvalidNames, PathComparer.WireNames);
            foreach (var gone in counters.SkippedPaths(FileReadStatus.InvalidName))
            {
                if (!current.Contains(gone))
                {
                    counters.Unskip(gone);
                }
            }
        }
        foreach (var name in scan.InvalidNames)
        {
            if (counters.Skip(name, FileReadStatus.InvalidName))
            {
                Log.InvalidNameSkipped(logger, rootPath, LogText.Clean(name));
            }
        }
    }

    /// <summary>
    /// Counts and names the entries left out because another entry has their wire name (NFC and NFD
    /// spellings of one name in one folder); a <paramref name="complete"/> scan also forgets those gone.
    /// </summary>
    private void RecordNameConflicts(ScanResult scan, bool complete)
    {
        if (complete)
        {
            var current = new HashSet<string>(scan.NameConflicts, PathComparer.WireNames);
            foreach (var gone in counters.SkippedPaths(FileReadStatus.NameConflict))
            {
                if (!current.Contains(gone))
                {
                    counters.Unskip(gone);
                }
            }
        }
        foreach (var name in scan.NameConflicts)
        {
            if (counters.Skip(name, FileReadStatus.NameConflict))
            {
                Log.NameConflictSkipped(logger, rootPath, LogText.Clean(name));
            }
        }
    }

    private static bool IsUnderUnreadableDirectory(string path, ScanResult scan)
    {
        if (scan.UnreadableDirectories.Count == 0)
        {
            return false;
        }
        for (var parent = WorkspacePaths.Parent(path); ; parent = WorkspacePaths.Parent(parent))
        {
            if (scan.UnreadableDirectories.ContainsKey(parent))
            {
                return true;
            }
            if (parent.Length == 0)
            {
                return false;
            }
        }
    }

    private void RecordUnreadableDirectories(ScanResult scan)
    {
        foreach (var (directory, error) in scan.UnreadableDirectories)
        {
            if (counters.AddError(directory + "/", error))
            {
                Log.DirectoryUnreadable(logger, rootPath, directory, error);
            }
        }
        // Directories readable again are forgotten; their files come back through the scan.
        foreach (var key in counters.ErrorKeys.Where(k => k.EndsWith('/')).ToList())
        {
            var directory = key[..^1];
            var full = DiskPath(directory);
            if (
                full is null
                || scan.UnreadableDirectories.ContainsKey(directory)
                || !Directory.Exists(full)
            )
            {
                continue;
            }
            try
            {
                _ = new DirectoryInfo(full).EnumerateFileSystemInfos().Any();
                counters.ClearError(key);
                // The OS watcher could not watch it while it was unreadable: watch the tree anew.
                requestRewatch();
            }
            catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
            {
                // Still unreadable.
            }
        }
    }
}
