namespace FileSync.Edge.Workspace;

/// <summary>
/// Which folder a workspace root really is: its path with every link resolved, whether the root
/// itself is a link, and the file system it lives on. Taken when the workspace starts and compared on
/// every rescan and watcher restart: a root replaced by a link, or resolving to another folder or file
/// system (a mount over it), is no longer the folder the user chose. The same folder deleted and made
/// again at the same real path is still that folder.
/// </summary>
public sealed record RootIdentity(string RealPath, bool IsLink, ulong Device)
{
    /// <summary>The identity of <paramref name="rootPath"/> now; null while it does not exist as a directory.</summary>
    public static RootIdentity? Of(string rootPath)
    {
        try
        {
            var own = FileStamp.Of(rootPath);
            if (own.Kind is FileKind.Missing or FileKind.RegularFile or FileKind.Special)
            {
                return null;
            }
            var real = LinkResolver.Resolve(rootPath, out _);
            if (real is null)
            {
                return null;
            }
            var target = FileStamp.Of(real);
            return target.Kind == FileKind.Directory
                ? new RootIdentity(real, own.Kind == FileKind.SymbolicLink, target.Device)
                : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Why <paramref name="now"/> is not this folder any more, or null when it still is.</summary>
    public string? ChangeTo(RootIdentity now)
    {
        if (now.IsLink && !IsLink)
        {
            return $"it was replaced by a link to '{now.RealPath}'";
        }
        if (!string.Equals(now.RealPath, RealPath, PathComparer.Comparison))
        {
            return $"it now leads to '{now.RealPath}' instead of '{RealPath}'";
        }
        if (now.Device != Device)
        {
            return "another file system was mounted over it";
        }
        return null;
    }
}
