using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using FileSync.Protocol;
using Microsoft.Extensions.Logging;

namespace FileSync.Server.Mirror;

/// <summary>
/// The mirror folder: applies creates, modifies, deletes and manifests to
/// <c>&lt;mirror&gt;/&lt;workspace name&gt;/&lt;relative path&gt;</c> and keeps per-workspace counters.
/// Thread-safe: operations on one workspace are serialized by its lock. Every name is validated
/// by <see cref="MirrorPaths"/>, the resolved path must stay inside the workspace folder, and no
/// symbolic link inside the workspace folder is ever followed.
/// </summary>
internal sealed partial class MirrorStore
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
        ContentHash hashAlgorithm,
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
                    // Now a regular file or nothing: what the write replaces, for the counters.
                    var replaced = new FileInfo(target);
                    var replacedBytes = replaced.Exists ? replaced.Length : -1;
                    WriteAtomically(target, content);
                    workspace.ChangeContent(
                        replacedBytes < 0 ? 1 : 0,
                        content.Length - Math.Max(replacedBytes, 0)
                    );
                    var written = new FileInfo(target);
                    workspace.Hashes[relativePath] = new WorkspaceMirror.CachedHash(
                        written.Length,
                        written.LastWriteTimeUtc,
                        hashAlgorithm,
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
                    workspace.CountCreate(content.Length);
                }
                else
                {
                    workspace.CountModify(content.Length);
                }
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
                        var removed = IsLink(target) ? null : new FileInfo(target);
                        var removedBytes = removed?.Length ?? 0;
                        File.Delete(target);
                        if (removed is not null)
                        {
                            workspace.ChangeContent(-1, -removedBytes);
                        }
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
                workspace.CountDelete();
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
            EnsureCounted(workspace);
            workspace.Done = true;
            workspace.CountDone();
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
            workspace.CountManifest();
            if (isFirstChunk)
            {
                workspace.Done = false;
            }
            return MirrorResult.Ok;
        }
    }

    /// <summary>
    /// Converges the workspace folder towards a complete manifest: deletes every mirror file the
    /// manifest lacks, prunes empty folders, and returns the entries that are missing or differ
    /// (the manifest's hashes being of <paramref name="hashAlgorithm"/>, the session's).
    /// </summary>
    public ManifestOutcome ApplyManifest(
        string workspaceName,
        string edgePath,
        IReadOnlyCollection<ManifestItem> files,
        ContentHash hashAlgorithm
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
            var undeletable = new List<FileInfo>();
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
                    undeletable.Add(info);
                }
            }
            PruneEmptyDirectories(workspace.Directory, isRoot: true);
            // The listing was complete: the counters restart from what is left.
            workspace.SetContent(
                present.Count + undeletable.Count,
                present.Values.Concat(undeletable).Sum(f => f.Length)
            );

            var need = new List<string>();
            foreach (var (relativePath, item) in wanted)
            {
                if (
                    !present.TryGetValue(relativePath, out var info)
                    || (item.Size is { } size && size != info.Length)
                    || !HashMatches(workspace, relativePath, info, hashAlgorithm, item.Hash)
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

    /// <summary>
    /// Snapshot of every workspace seen since start, by name, from the counters the store keeps as it
    /// applies files: no lock taken, no folder walked.
    /// </summary>
    public IReadOnlyList<WorkspaceMirrorStatus> GetWorkspaces() =>
        [
            .. _workspaces
                .Values.OrderBy(w => w.Name, StringComparer.Ordinal)
                .Select(workspace => new WorkspaceMirrorStatus
                {
                    Name = workspace.Name,
                    Path = workspace.EdgePath,
                    Files = (int)Math.Min(workspace.Files, int.MaxValue),
                    Bytes = workspace.Bytes,
                    Done = workspace.Done,
                    Received = workspace.SnapshotCounters(),
                }),
        ];
}
