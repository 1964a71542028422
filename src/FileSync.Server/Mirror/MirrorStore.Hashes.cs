using FileSync.Protocol;

namespace FileSync.Server.Mirror;

/// <summary>Content hashes of mirror files: computed once, cached while a file's size and mtime hold.</summary>
internal sealed partial class MirrorStore
{
    private bool HashMatches(
        WorkspaceMirror workspace,
        string relativePath,
        FileInfo info,
        ContentHash algorithm,
        string? expected
    ) =>
        expected is null
        || (
            TryGetHash(workspace, relativePath, info, algorithm, out var hash)
            && string.Equals(hash, expected, StringComparison.OrdinalIgnoreCase)
        );

    /// <summary>
    /// The <paramref name="algorithm"/> hash of a mirror file, from the cache while its size and mtime are
    /// unchanged and it was computed with that algorithm; false when unreadable.
    /// </summary>
    private bool TryGetHash(
        WorkspaceMirror workspace,
        string relativePath,
        FileInfo info,
        ContentHash algorithm,
        out string hash
    )
    {
        if (
            !workspace.Hashes.TryGetValue(relativePath, out var cached)
            || cached.Algorithm != algorithm
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
                    algorithm,
                    algorithm.Compute(stream)
                );
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                Log.HashFailed(_logger, workspace.Name, relativePath, ex);
                workspace.Hashes.Remove(relativePath);
                hash = "";
                return false;
            }
            workspace.Hashes[relativePath] = cached;
        }
        hash = cached.Hash;
        return true;
    }
}
