using System.Diagnostics.CodeAnalysis;
using FileSync.Protocol;

namespace FileSync.Server.Mirror;

/// <summary>The file-system work behind the mirror: resolving paths safely, atomic writes, hashes and pruning.</summary>
internal sealed partial class MirrorStore
{
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
            EnsureCounted(workspace);
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
                var obstacleBytes = new FileInfo(current).Length;
                File.Delete(current);
                workspace.ChangeContent(-1, -obstacleBytes);
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
            var (files, bytes) = CountFiles(target);
            Directory.Delete(target, recursive: true);
            workspace.ChangeContent(-files, -bytes);
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

    /// <summary>
    /// Starts the workspace's content counters from one walk of its folder, the first time this
    /// server touches it (a mirror left by an earlier run); later changes keep them right. Under the lock.
    /// </summary>
    private static void EnsureCounted(WorkspaceMirror workspace)
    {
        if (workspace.IsCounted)
        {
            return;
        }
        var (files, bytes) = Directory.Exists(workspace.Directory)
            ? CountFiles(workspace.Directory)
            : (0, 0);
        workspace.SetContent(files, bytes);
    }

    /// <summary>Regular files under <paramref name="directory"/> and their bytes, as status counts them.</summary>
    private static (long Files, long Bytes) CountFiles(string directory)
    {
        long files = 0;
        long bytes = 0;
        foreach (var (_, info) in EnumerateMirrorFiles(directory))
        {
            files++;
            bytes += info.Length;
        }
        return (files, bytes);
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
