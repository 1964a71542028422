using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using FileSync.Edge.Protocol;
using Microsoft.Extensions.Logging;

namespace FileSync.Server.Mirror;

/// <summary>
/// The mirror folder: applies creates, modifies, deletes and manifests to
/// <c>&lt;mirror&gt;/&lt;workspace name&gt;/&lt;relative path&gt;</c> and keeps per-workspace counters.
/// Thread-safe: operations on one workspace are serialized by its lock. Every name is validated
/// by <see cref="MirrorPaths"/>, the resolved path must stay inside the workspace folder, and no
/// symbolic link inside the workspace folder is ever followed.
/// </summary>
internal sealed class MirrorStore
{
    private const string TempPrefix = ".~filesync-";
    private const string TempSuffix = ".tmp";

    private static readonly EnumerationOptions s_allFiles = new()
    {
        RecurseSubdirectories = true,
        IgnoreInaccessible = true,
        AttributesToSkip = FileAttributes.ReparsePoint,
        MatchType = MatchType.Simple,
    };

    private static readonly EnumerationOptions s_childDirectories = new()
    {
        RecurseSubdirectories = false,
        IgnoreInaccessible = true,
        AttributesToSkip = FileAttributes.ReparsePoint,
        MatchType = MatchType.Simple,
    };

    private readonly ConcurrentDictionary<string, WorkspaceMirror> _workspaces = new(
        MirrorPaths.PathComparer
    );
    private readonly ILogger _logger;

    public MirrorStore(ServerOptions options, ILogger<MirrorStore> logger)
    {
        _logger = logger;
        RootDirectory = Path.TrimEndingDirectorySeparator(
            Path.GetFullPath(options.MirrorDirectory)
        );
        Directory.CreateDirectory(RootDirectory);
    }

    /// <summary>Full path of the mirror folder.</summary>
    public string RootDirectory { get; }

    /// <summary>Writes (atomically: temp file in the same folder, then rename) one file of a workspace.</summary>
    public MirrorResult WriteFile(
        string workspaceName,
        string edgePath,
        string relativePath,
        byte[] content,
        string contentHash,
        bool isCreate
    )
    {
        return UpdateFile(
            workspaceName,
            edgePath,
            relativePath,
            (workspace, segments, target) =>
            {
                try
                {
                    RemoveObstacles(workspace, segments, target, relativePath);
                    WriteAtomically(target, content);
                    var written = new FileInfo(target);
                    workspace.Hashes[relativePath] = new WorkspaceMirror.CachedHash(
                        written.Length,
                        written.LastWriteTimeUtc,
                        contentHash
                    );
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    Log.MirrorUpdateFailed(_logger, workspace.Name, relativePath, ex);
                    return MirrorResult.WriteFailed(
                        $"could not write the file: {ex.GetType().Name}"
                    );
                }
                if (isCreate)
                {
                    workspace.Creates++;
                }
                else
                {
                    workspace.Modifies++;
                }
                workspace.ContentBytes += content.Length;
                Log.FileWritten(_logger, workspace.Name, relativePath, content.Length);
                return MirrorResult.Ok;
            }
        );
    }

    /// <summary>Deletes one file of a workspace (a no-op when absent) and prunes the folders it leaves empty.</summary>
    public MirrorResult DeleteFile(string workspaceName, string edgePath, string relativePath)
    {
        return UpdateFile(
            workspaceName,
            edgePath,
            relativePath,
            (workspace, _, target) =>
            {
                try
                {
                    if (IsLink(target) || File.Exists(target))
                    {
                        File.Delete(target);
                        PruneEmptyParents(workspace.Directory, Path.GetDirectoryName(target)!);
                        Log.FileDeleted(_logger, workspace.Name, relativePath);
                    }
                    else
                    {
                        Log.DeleteNoOp(_logger, workspace.Name, relativePath);
                    }
                    workspace.Hashes.Remove(relativePath);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    Log.MirrorUpdateFailed(_logger, workspace.Name, relativePath, ex);
                    return MirrorResult.WriteFailed(
                        $"could not delete the file: {ex.GetType().Name}"
                    );
                }
                workspace.Deletes++;
                return MirrorResult.Ok;
            }
        );
    }

    /// <summary>Records <c>workspace:file_done</c>.</summary>
    public MirrorResult MarkDone(string workspaceName, string edgePath)
    {
        if (!TryPrepare(workspaceName, out var workspace, out var failure))
        {
            return failure;
        }
        lock (workspace.Gate)
        {
            workspace.EdgePath = edgePath;
            if (!TryEnsureWorkspaceDirectory(workspace, out failure))
            {
                return failure;
            }
            workspace.Done = true;
            workspace.DoneMessages++;
            Log.WorkspaceDone(_logger, workspace.Name);
            return MirrorResult.Ok;
        }
    }

    /// <summary>Counts one <c>workspace:manifest</c> chunk; the first chunk starts a new sync pass (done = false).</summary>
    public MirrorResult RecordManifestChunk(
        string workspaceName,
        string edgePath,
        bool isFirstChunk
    )
    {
        if (!TryPrepare(workspaceName, out var workspace, out var failure))
        {
            return failure;
        }
        lock (workspace.Gate)
        {
            workspace.EdgePath = edgePath;
            workspace.ManifestMessages++;
            if (isFirstChunk)
            {
                workspace.Done = false;
            }
            return MirrorResult.Ok;
        }
    }

    /// <summary>
    /// Converges the workspace folder towards a complete manifest: deletes every mirror file the
    /// manifest lacks, prunes empty folders, and returns the entries that are missing or differ.
    /// </summary>
    public ManifestOutcome ApplyManifest(
        string workspaceName,
        string edgePath,
        IReadOnlyCollection<ManifestItem> files
    )
    {
        if (!TryPrepare(workspaceName, out var workspace, out var failure))
        {
            return new ManifestOutcome(failure, [], 0, 0, []);
        }
        var wanted = new Dictionary<string, ManifestItem>(files.Count, MirrorPaths.PathComparer);
        var refused = new List<ManifestRefusal>();
        foreach (var item in files)
        {
            if (MirrorPaths.TryValidateRelativePath(item.RelativePath, out _, out var reason))
            {
                wanted[item.RelativePath] = item;
            }
            else
            {
                // Told to the edge in the diff, so it counts the file as not synced instead of as done.
                refused.Add(
                    new ManifestRefusal(
                        item.RelativePath,
                        MirrorPaths.IsForbiddenReason(reason)
                            ? ErrorCodes.ForbiddenPath
                            : ErrorCodes.UnsupportedName,
                        reason
                    )
                );
                Log.ManifestEntrySkipped(_logger, workspace.Name, reason);
            }
        }
        var skipped = refused.Count;

        lock (workspace.Gate)
        {
            workspace.EdgePath = edgePath;
            if (!TryEnsureWorkspaceDirectory(workspace, out failure))
            {
                return new ManifestOutcome(failure, [], 0, skipped, refused);
            }

            var present = new Dictionary<string, FileInfo>(MirrorPaths.PathComparer);
            var deleted = 0;
            foreach (
                var (relativePath, info) in EnumerateMirrorFiles(
                    workspace.Directory,
                    includeTempFiles: true
                )
            )
            {
                if (wanted.ContainsKey(relativePath))
                {
                    present[relativePath] = info;
                    continue;
                }
                try
                {
                    info.Delete();
                    deleted++;
                    Log.FileDeleted(_logger, workspace.Name, relativePath);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    Log.MirrorUpdateFailed(_logger, workspace.Name, relativePath, ex);
                }
            }
            PruneEmptyDirectories(workspace.Directory, isRoot: true);

            var need = new List<string>();
            foreach (var (relativePath, item) in wanted)
            {
                if (
                    !present.TryGetValue(relativePath, out var info)
                    || (item.Size is { } size && size != info.Length)
                    || !HashMatches(workspace, relativePath, info, item.Hash)
                )
                {
                    need.Add(relativePath);
                }
            }
            need.Sort(StringComparer.Ordinal);

            foreach (var cached in workspace.Hashes.Keys.ToList())
            {
                if (!present.ContainsKey(cached))
                {
                    workspace.Hashes.Remove(cached);
                }
            }
            Log.ManifestApplied(_logger, workspace.Name, wanted.Count, deleted, need.Count);
            return new ManifestOutcome(MirrorResult.Ok, need, deleted, skipped, refused);
        }
    }

    /// <summary>Snapshot of every workspace seen since start, by name, with its current mirror content.</summary>
    public IReadOnlyList<WorkspaceMirrorStatus> GetWorkspaces()
    {
        var result = new List<WorkspaceMirrorStatus>();
        foreach (var workspace in _workspaces.Values.OrderBy(w => w.Name, StringComparer.Ordinal))
        {
            lock (workspace.Gate)
            {
                var files = 0;
                var bytes = 0L;
                if (Directory.Exists(workspace.Directory) && !IsLink(workspace.Directory))
                {
                    foreach (var (_, info) in EnumerateMirrorFiles(workspace.Directory))
                    {
                        files++;
                        bytes += info.Length;
                    }
                }
                result.Add(
                    new WorkspaceMirrorStatus
                    {
                        Name = workspace.Name,
                        Path = workspace.EdgePath,
                        Files = files,
                        Bytes = bytes,
                        Done = workspace.Done,
                        Received = workspace.SnapshotCounters(),
                    }
                );
            }
        }
        return result;
    }

    /// <summary>
    /// Validates the names, then under the workspace lock records <paramref name="edgePath"/>,
    /// resolves the file's full path and runs <paramref name="update"/> on it.
    /// </summary>
    private MirrorResult UpdateFile(
        string workspaceName,
        string edgePath,
        string relativePath,
        Func<WorkspaceMirror, string[], string, MirrorResult> update
    )
    {
        if (
            !TryPrepare(
                workspaceName,
                relativePath,
                out var workspace,
                out var segments,
                out var failure
            )
        )
        {
            return failure;
        }
        lock (workspace.Gate)
        {
            workspace.EdgePath = edgePath;
            if (!TryResolve(workspace, segments, out var target, out failure))
            {
                return failure;
            }
            return update(workspace, segments, target);
        }
    }

    private bool TryPrepare(
        string workspaceName,
        [NotNullWhen(true)] out WorkspaceMirror? workspace,
        out MirrorResult failure
    )
    {
        workspace = null;
        if (!MirrorPaths.TryValidateWorkspaceName(workspaceName, out var reason))
        {
            failure = MirrorResult.Forbidden(reason);
            return false;
        }
        var directory = Path.GetFullPath(Path.Join(RootDirectory, workspaceName));
        if (!MirrorPaths.IsStrictlyInside(RootDirectory, directory))
        {
            failure = MirrorResult.Forbidden("workspace folder resolves outside the mirror");
            return false;
        }
        workspace = _workspaces.GetOrAdd(
            workspaceName,
            static (name, dir) => new WorkspaceMirror(name, dir),
            directory
        );
        failure = MirrorResult.Ok;
        return true;
    }

    private bool TryPrepare(
        string workspaceName,
        string relativePath,
        [NotNullWhen(true)] out WorkspaceMirror? workspace,
        [NotNullWhen(true)] out string[]? segments,
        out MirrorResult failure
    )
    {
        workspace = null;
        if (!MirrorPaths.TryValidateRelativePath(relativePath, out segments, out var reason))
        {
            failure = MirrorPaths.IsForbiddenReason(reason)
                ? MirrorResult.Forbidden(reason)
                : MirrorResult.UnsupportedName(reason);
            return false;
        }
        return TryPrepare(workspaceName, out workspace, out failure);
    }

    /// <summary>Resolves a validated relative path; refuses symbolic links on the way and anything outside.</summary>
    private static bool TryResolve(
        WorkspaceMirror workspace,
        string[] segments,
        [NotNullWhen(true)] out string? target,
        out MirrorResult failure
    )
    {
        target = null;
        if (!TryEnsureWorkspaceDirectory(workspace, out failure))
        {
            return false;
        }
        var current = workspace.Directory;
        for (var i = 0; i < segments.Length - 1; i++)
        {
            current = Path.Join(current, segments[i]);
            if (IsLink(current))
            {
                failure = MirrorResult.Forbidden("a folder on the path is a symbolic link");
                return false;
            }
        }
        var full = Path.GetFullPath(Path.Join(current, segments[^1]));
        if (!MirrorPaths.IsStrictlyInside(workspace.Directory, full))
        {
            failure = MirrorResult.Forbidden("path resolves outside the workspace folder");
            return false;
        }
        target = full;
        return true;
    }

    private static bool TryEnsureWorkspaceDirectory(
        WorkspaceMirror workspace,
        out MirrorResult failure
    )
    {
        if (IsLink(workspace.Directory))
        {
            failure = MirrorResult.Forbidden("the workspace folder is a symbolic link");
            return false;
        }
        try
        {
            Directory.CreateDirectory(workspace.Directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            failure = MirrorResult.WriteFailed(
                $"could not create the workspace folder: {ex.GetType().Name}"
            );
            return false;
        }
        failure = MirrorResult.Ok;
        return true;
    }

    /// <summary>
    /// The edge says <paramref name="relativePath"/> is a file, so a file where one of its folders
    /// should be, or a folder (or link) where it should be, is stale: remove it.
    /// </summary>
    private void RemoveObstacles(
        WorkspaceMirror workspace,
        string[] segments,
        string target,
        string relativePath
    )
    {
        var current = workspace.Directory;
        for (var i = 0; i < segments.Length - 1; i++)
        {
            current = Path.Join(current, segments[i]);
            if (File.Exists(current))
            {
                File.Delete(current);
                var obstacle = string.Join('/', segments, 0, i + 1);
                workspace.Hashes.Remove(obstacle);
                Log.ObstacleRemoved(_logger, workspace.Name, obstacle, relativePath);
                break;
            }
        }
        if (IsLink(target))
        {
            File.Delete(target);
        }
        else if (Directory.Exists(target))
        {
            Directory.Delete(target, recursive: true);
            var prefix = relativePath + "/";
            foreach (
                var key in workspace
                    .Hashes.Keys.Where(k => k.StartsWith(prefix, MirrorPaths.PathComparison))
                    .ToList()
            )
            {
                workspace.Hashes.Remove(key);
            }
            Log.ObstacleRemoved(_logger, workspace.Name, relativePath, relativePath);
        }
    }

    private static void WriteAtomically(string target, byte[] content)
    {
        var directory = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(directory);
        var temp = Path.Join(directory, $"{TempPrefix}{Guid.NewGuid():N}{TempSuffix}");
        try
        {
            using (
                var stream = new FileStream(
                    temp,
                    FileMode.CreateNew,
                    FileAccess.Write,
                    // Shared, not exclusive: an exclusive (flock) lock would fail when anyone merely reads the temp file.
                    FileShare.Read
                )
            )
            {
                stream.Write(content);
            }
            File.Move(temp, target, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    private bool HashMatches(
        WorkspaceMirror workspace,
        string relativePath,
        FileInfo info,
        string? expected
    )
    {
        if (expected is null)
        {
            return true;
        }
        if (
            !workspace.Hashes.TryGetValue(relativePath, out var cached)
            || cached.Size != info.Length
            || cached.LastWriteUtc != info.LastWriteTimeUtc
        )
        {
            try
            {
                using var stream = new FileStream(
                    info.FullName,
                    FileMode.Open,
                    FileAccess.Read,
                    FileShare.Read
                );
                cached = new WorkspaceMirror.CachedHash(
                    info.Length,
                    info.LastWriteTimeUtc,
                    Convert.ToHexStringLower(SHA256.HashData(stream))
                );
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                Log.HashFailed(_logger, workspace.Name, relativePath, ex);
                workspace.Hashes.Remove(relativePath);
                return false;
            }
            workspace.Hashes[relativePath] = cached;
        }
        return string.Equals(cached.Hash, expected, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Regular files under a workspace folder, as '/'-separated relative paths; links and temp files are left out.</summary>
    /// <remarks>
    /// Under the workspace lock no write is in flight, so a temp file seen there is a leftover of a
    /// crash: <paramref name="includeTempFiles"/> lets a manifest delete it.
    /// </remarks>
    private static IEnumerable<(string RelativePath, FileInfo Info)> EnumerateMirrorFiles(
        string directory,
        bool includeTempFiles = false
    )
    {
        foreach (var info in new DirectoryInfo(directory).EnumerateFiles("*", s_allFiles))
        {
            if (
                !includeTempFiles
                && info.Name.StartsWith(TempPrefix, StringComparison.Ordinal)
                && info.Name.EndsWith(TempSuffix, StringComparison.Ordinal)
            )
            {
                continue;
            }
            var relative = Path.GetRelativePath(directory, info.FullName);
            if (Path.DirectorySeparatorChar != '/')
            {
                relative = relative.Replace(Path.DirectorySeparatorChar, '/');
            }
            yield return (relative, info);
        }
    }

    private static void PruneEmptyParents(string workspaceDirectory, string directory)
    {
        try
        {
            while (MirrorPaths.IsStrictlyInside(workspaceDirectory, directory))
            {
                if (Directory.EnumerateFileSystemEntries(directory).Any())
                {
                    return;
                }
                Directory.Delete(directory);
                directory = Path.GetDirectoryName(directory)!;
            }
        }
        catch (IOException)
        {
            // Raced with a write into the folder: it is not empty any more.
        }
    }

    private static void PruneEmptyDirectories(string directory, bool isRoot)
    {
        foreach (var child in new DirectoryInfo(directory).GetDirectories("*", s_childDirectories))
        {
            PruneEmptyDirectories(child.FullName, isRoot: false);
        }
        if (!isRoot && !Directory.EnumerateFileSystemEntries(directory).Any())
        {
            try
            {
                Directory.Delete(directory);
            }
            catch (IOException)
            {
                // Not empty after all: leave it.
            }
        }
    }

    private static bool IsLink(string path)
    {
        try
        {
            return (File.GetAttributes(path) & FileAttributes.ReparsePoint) != 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Absent, or a file is where a folder on the way should be: not a link.
            return false;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: a leftover temp file is removed by the next manifest.
        }
    }
}
