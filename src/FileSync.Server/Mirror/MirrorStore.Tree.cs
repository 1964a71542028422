using FileSync.Protocol;

namespace FileSync.Server.Mirror;

/// <summary>What the mirror holds, as manifest entries: the server's side of the digest-first resume.</summary>
internal sealed partial class MirrorStore
{
    /// <summary>
    /// Every file of the workspace's mirror folder with its size and <paramref name="hashAlgorithm"/> hash
    /// (cached while size and mtime are unchanged); a file that cannot be read is left out, so the edge
    /// sends it again. Empty for a workspace the server has not seen or cannot prepare.
    /// </summary>
    public List<ManifestEntry> ListFiles(string workspaceName, ContentHash hashAlgorithm)
    {
        var files = new List<ManifestEntry>();
        if (!TryPrepare(workspaceName, out var workspace, out _))
        {
            return files;
        }
        lock (workspace.Gate)
        {
            if (!Directory.Exists(workspace.Directory))
            {
                return files;
            }
            long count = 0;
            long bytes = 0;
            foreach (var (relativePath, info) in EnumerateMirrorFiles(workspace.Directory))
            {
                count++;
                bytes += info.Length;
                if (TryGetHash(workspace, relativePath, info, hashAlgorithm, out var hash))
                {
                    files.Add(new ManifestEntry(relativePath, hash, info.Length));
                }
            }
            // A complete listing: the counters start (or restart) from it.
            workspace.SetContent(count, bytes);
        }
        return files;
    }
}
