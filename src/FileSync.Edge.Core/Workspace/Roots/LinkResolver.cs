namespace FileSync.Edge.Workspace;

/// <summary>
/// Resolves symbolic links (and junctions) in an absolute path, component by component, like
/// realpath(3) but without requiring the tail to exist. Reads link targets only; opens nothing.
/// </summary>
public static class LinkResolver
{
    /// <summary>Most symbolic links followed while resolving one path (Linux's ELOOP limit).</summary>
    private const int MaxLinks = 40;

    /// <summary>
    /// The path <paramref name="fullPath"/> (absolute, normalised) with every link resolved; null with a
    /// one-line <paramref name="error"/> when it is not absolute or leads through too many links.
    /// </summary>
    public static string? Resolve(string fullPath, out string error)
    {
        error = "";
        var root = Path.GetPathRoot(fullPath);
        if (string.IsNullOrEmpty(root))
        {
            error = "path is not absolute";
            return null;
        }
        var pending = new Stack<string>();
        PushSegments(pending, fullPath.AsSpan(root.Length));
        var current = root;
        var links = 0;
        while (pending.TryPop(out var segment))
        {
            if (segment == ".")
            {
                continue;
            }
            if (segment == "..")
            {
                // 'current' holds no links, so its lexical parent is its real parent.
                current = Path.GetDirectoryName(current) ?? current;
                continue;
            }
            var next = Path.Join(current, segment);
            var target = LinkTargetOf(next);
            if (target is null)
            {
                current = next;
                continue;
            }
            if (++links > MaxLinks)
            {
                error = "too many levels of symbolic links";
                return null;
            }
            var targetRoot = Path.GetPathRoot(target);
            if (!string.IsNullOrEmpty(targetRoot))
            {
                current = targetRoot;
                target = target[targetRoot.Length..];
            }
            PushSegments(pending, target);
        }
        return current;
    }

    private static void PushSegments(Stack<string> pending, ReadOnlySpan<char> path)
    {
        var segments = path.ToString().Split(Separators, StringSplitOptions.RemoveEmptyEntries);
        for (var i = segments.Length - 1; i >= 0; i--)
        {
            pending.Push(segments[i]);
        }
    }

    private static readonly char[] Separators =
        Path.DirectorySeparatorChar == Path.AltDirectorySeparatorChar
            ? [Path.DirectorySeparatorChar]
            : [Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar];

    /// <summary>The target of a link at <paramref name="path"/>; null when it is not a link or does not exist.</summary>
    private static string? LinkTargetOf(string path)
    {
        try
        {
            var info = new FileInfo(path);
            var attributes = info.Attributes;
            return (int)attributes != -1 && (attributes & FileAttributes.ReparsePoint) != 0
                ? info.LinkTarget
                : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
