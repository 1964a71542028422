using FileSync.Edge.Workspace;
using FileSync.Protocol;

namespace FileSync.Edge.Control;

/// <summary>
/// Checks every path the server sends before anything is opened.
/// <list type="bullet">
/// <item>A file path (<see cref="Resolve"/>) must be absolute, normalise to a location inside an
/// active workspace, pass through no symbolic link (or other reparse point) from the workspace root
/// down, exist, and not be excluded by the workspace's ignore rules.</item>
/// <item>A workspace root (<see cref="ResolveRoot"/>) must be absolute; it is resolved through every
/// symbolic link and both the given and the resolved path must be allowed roots, and not inside
/// <c>/proc</c>, <c>/sys</c>, <c>/dev</c> or <c>/run</c>.</item>
/// </list>
/// Both refuse outright: empty paths, NUL characters, paths longer than <see cref="MaxPathLength"/>,
/// UNC and device paths (<c>\\server\share</c>, <c>\\.\</c>, <c>\\?\</c>, <c>//…</c>) and relative or
/// drive-relative paths; on Windows also reserved device names (<c>CON</c>, <c>NUL</c>, <c>COM1</c>,
/// …), alternate data streams, 8.3 short names and names ending in a dot or space, which Windows
/// would silently open as a different file than the one checked. Nothing here opens a file; it
/// only reads file attributes and link targets.
/// </summary>
public static class PathGuard
{
    /// <summary>Longest path accepted from the server, in characters.</summary>
    public const int MaxPathLength = 4096;

    /// <summary>Most symbolic links followed while resolving one root (Linux's ELOOP limit).</summary>
    private const int MaxLinks = 40;

    /// <summary>
    /// The outcome of <see cref="Resolve"/>: the workspace and the '/'-separated relative path of a
    /// file that may be opened, or an <see cref="Error"/> with its protocol <see cref="Code"/>.
    /// </summary>
    public readonly record struct Resolution(
        WorkspaceSyncManager? Workspace,
        string RelativePath,
        string? Error,
        string? Code
    )
    {
        public bool IsAllowed => Workspace is not null;
    }

    /// <summary>Checks a file path sent by the server against the active <paramref name="workspaces"/>.</summary>
    /// <param name="allowRoot">A workspace root itself resolves too (relative path "", for a folder listing).</param>
    public static Resolution Resolve(
        IReadOnlyList<WorkspaceSyncManager> workspaces,
        string? requested,
        bool allowRoot = false
    )
    {
        if (CheckShape(requested) is { } shapeError)
        {
            return Refuse(shapeError, ErrorCodes.ForbiddenPath);
        }
        string full;
        try
        {
            full = Path.GetFullPath(requested!);
        }
        catch (Exception ex)
            when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return Refuse("path is not valid", ErrorCodes.ForbiddenPath);
        }
        foreach (var workspace in workspaces)
        {
            if (
                string.Equals(
                    Path.TrimEndingDirectorySeparator(full),
                    workspace.RootPath,
                    PathComparer.Comparison
                )
            )
            {
                return allowRoot
                    ? new Resolution(workspace, "", null, null)
                    : Refuse("path is a workspace folder, not a file", ErrorCodes.NotFound);
            }
            var relative = WorkspacePaths.ToRelativePath(workspace.RootPath, full);
            if (relative is null)
            {
                continue;
            }
            // Walk from the root down: stop at the first missing component (nothing to open, and the
            // ignore rules are only consulted for directories that exist) or link.
            var prefixEnd = -1;
            do
            {
                prefixEnd = relative.IndexOf('/', prefixEnd + 1);
                var prefix = prefixEnd < 0 ? relative : relative[..prefixEnd];
                var attributes = AttributesOf(
                    WorkspacePaths.ToFullPath(workspace.RootPath, prefix)
                );
                if (attributes is null)
                {
                    return Refuse("file not found", ErrorCodes.NotFound);
                }
                if ((attributes.Value & FileAttributes.ReparsePoint) != 0)
                {
                    return Refuse("path goes through a symbolic link", ErrorCodes.ForbiddenPath);
                }
                if (prefixEnd >= 0 && (attributes.Value & FileAttributes.Directory) == 0)
                {
                    return Refuse("file not found", ErrorCodes.NotFound);
                }
            } while (prefixEnd >= 0);
            if (workspace.IsExcluded(relative))
            {
                return Refuse(
                    "path is excluded by the workspace's ignore rules",
                    ErrorCodes.ForbiddenPath
                );
            }
            return new Resolution(workspace, relative, null, null);
        }
        return Refuse("path is outside every active workspace", ErrorCodes.ForbiddenPath);
    }

    /// <summary>
    /// Checks a workspace root chosen by the server. Returns the root with every symbolic link
    /// resolved, or null with a one-line <paramref name="error"/> and its protocol <paramref name="code"/>.
    /// </summary>
    public static string? ResolveRoot(string? requested, out string error, out string code) =>
        ResolveRoot(requested, null, out error, out code);

    /// <summary>
    /// As <see cref="ResolveRoot(string?, out string, out string)"/>, and the resolved folder must also pass
    /// <see cref="ServerRootPolicy"/> for <paramref name="allowedRoots"/> (when given).
    /// </summary>
    public static string? ResolveRoot(
        string? requested,
        IReadOnlyList<string>? allowedRoots,
        out string error,
        out string code
    )
    {
        code = ErrorCodes.ForbiddenPath;
        if (CheckShape(requested) is { } shapeError)
        {
            error = $"workspace path is refused: {shapeError}";
            return null;
        }
        // The path as given must be allowed (not '/', home, temp; an existing directory) …
        var given = WorkspaceRootValidator.Validate(requested, out error);
        if (given is null)
        {
            code = CodeForRootError(error);
            return null;
        }
        var real = ResolveLinks(given, out var linkError);
        if (real is null)
        {
            error = $"workspace path '{given}' cannot be resolved: {linkError}";
            return null;
        }
        // … and so must the folder it really is (a link to '/' or to the home directory is refused).
        var resolved = WorkspaceRootValidator.Validate(real, out error);
        if (resolved is null)
        {
            code = CodeForRootError(error);
            if (!string.Equals(real, given, PathComparer.Comparison))
            {
                error = $"workspace path '{given}' is a link: {error}";
            }
            return null;
        }
        if (SystemFolderOf(resolved) is { } system)
        {
            error =
                $"workspace path '{resolved}' is inside the system folder '{system}'; choose a project folder";
            return null;
        }
        if (
            allowedRoots is not null
            && ServerRootPolicy.Check(resolved, allowedRoots) is { } policyError
        )
        {
            error = policyError;
            return null;
        }
        return resolved;
    }

    /// <summary>
    /// Kernel and device pseudo-filesystems: never a project, and reading them can block (a FIFO, a
    /// terminal) or have side effects. A person may still name one on the command line; the server may not.
    /// </summary>
    private static readonly string[] s_systemFolders = OperatingSystem.IsWindows()
        ? []
        : ["/proc", "/sys", "/dev", "/run"];

    private static string? SystemFolderOf(string root) =>
        s_systemFolders.FirstOrDefault(folder =>
            string.Equals(root, folder, PathComparer.Comparison)
            || (
                root.StartsWith(folder, PathComparer.Comparison)
                && root.Length > folder.Length
                && root[folder.Length] == '/'
            )
        );

    /// <summary>
    /// Checks the form of a path from the server without touching the disk; returns why it is refused,
    /// or null when it is an absolute local path worth looking at.
    /// </summary>
    public static string? CheckShape(string? requested)
    {
        if (string.IsNullOrWhiteSpace(requested))
        {
            return "path is missing";
        }
        if (requested.Length > MaxPathLength)
        {
            return $"path is longer than {MaxPathLength} characters";
        }
        if (requested.Contains('\0', StringComparison.Ordinal))
        {
            return "path contains a NUL character";
        }
        if (requested.Length >= 2 && IsAnySeparator(requested[0]) && IsAnySeparator(requested[1]))
        {
            return "UNC and device paths are not allowed";
        }
        if (!Path.IsPathFullyQualified(requested))
        {
            return "path must be absolute";
        }
        if (OperatingSystem.IsWindows() && CheckWindowsSegments(requested) is { } windowsError)
        {
            return windowsError;
        }
        return null;
    }

    /// <summary>
    /// Windows-only name rules (<see cref="CheckShape"/>): on Linux and macOS these are ordinary file names.
    /// Internal so tests on every OS can check the rules.
    /// </summary>
    internal static string? CheckWindowsSegments(string path)
    {
        // Skip the drive ("C:\"); a ':' anywhere after it names an alternate data stream.
        var rest = path.Length >= 2 && path[1] == ':' ? path[2..] : path;
        if (rest.Contains(':', StringComparison.Ordinal))
        {
            return "alternate data streams are not allowed";
        }
        foreach (var segment in rest.Split(['\\', '/'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (segment is "." or "..")
            {
                continue;
            }
            if (segment.EndsWith('.') || segment.EndsWith(' '))
            {
                return "a path segment ends in a dot or a space";
            }
            if (IsWindowsReservedName(segment))
            {
                return $"'{segment}' is a Windows device name";
            }
            if (LooksLikeShortName(segment))
            {
                return "8.3 short names are not allowed";
            }
        }
        return null;
    }

    /// <summary>
    /// True for the names Windows maps to devices in every folder: CON, PRN, AUX, NUL, COM0-9, LPT0-9
    /// (also with superscript digits), CONIN$, CONOUT$ — with any extension and trailing spaces.
    /// </summary>
    public static bool IsWindowsReservedName(ReadOnlySpan<char> segment)
    {
        var dot = segment.IndexOf('.');
        var stem = (dot < 0 ? segment : segment[..dot]).TrimEnd(' ');
        if (
            stem.Equals("CON", StringComparison.OrdinalIgnoreCase)
            || stem.Equals("PRN", StringComparison.OrdinalIgnoreCase)
            || stem.Equals("AUX", StringComparison.OrdinalIgnoreCase)
            || stem.Equals("NUL", StringComparison.OrdinalIgnoreCase)
            || stem.Equals("CONIN$", StringComparison.OrdinalIgnoreCase)
            || stem.Equals("CONOUT$", StringComparison.OrdinalIgnoreCase)
        )
        {
            return true;
        }
        return stem.Length == 4
            && (
                stem.StartsWith("COM", StringComparison.OrdinalIgnoreCase)
                || stem.StartsWith("LPT", StringComparison.OrdinalIgnoreCase)
            )
            && (char.IsAsciiDigit(stem[3]) || stem[3] is '¹' or '²' or '³');
    }

    /// <summary>A '~' followed by a digit, as in PROGRA~1: Windows may open the long-named file it stands for.</summary>
    private static bool LooksLikeShortName(string segment)
    {
        var tilde = segment.IndexOf('~', StringComparison.Ordinal);
        return tilde >= 0 && tilde + 1 < segment.Length && char.IsAsciiDigit(segment[tilde + 1]);
    }

    /// <summary>
    /// Checks a workspace root the local user gave (command line, config file): the path as given and
    /// the folder it really is, through any links, must both be acceptable roots (a link to '/' or to
    /// the home directory is refused). Returns the normalised path as given, or null with a one-line reason.
    /// </summary>
    public static string? ValidateLocalRoot(string? path, out string error)
    {
        var given = WorkspaceRootValidator.Validate(path, out error);
        if (given is null)
        {
            return null;
        }
        var real = ResolveLinks(given, out var linkError);
        if (real is null)
        {
            error = $"workspace path '{given}' cannot be resolved: {linkError}";
            return null;
        }
        if (
            !string.Equals(real, given, PathComparer.Comparison)
            && WorkspaceRootValidator.Validate(real, out var realError) is null
        )
        {
            error = $"workspace path '{given}' is a link: {realError}";
            return null;
        }
        return given;
    }

    /// <summary>
    /// Resolves every symbolic link (and junction) in an absolute, normalised path, component by
    /// component, like realpath(3) but without requiring the tail to exist. Null after too many links.
    /// </summary>
    public static string? ResolveLinks(string fullPath, out string error)
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

    /// <summary>The attributes of <paramref name="path"/> itself (a link is not followed); null when it does not exist.</summary>
    private static FileAttributes? AttributesOf(string path)
    {
        try
        {
            var attributes = new FileInfo(path).Attributes;
            return (int)attributes == -1 ? null : attributes;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static bool IsAnySeparator(char c) => c is '/' or '\\';

    private static string CodeForRootError(string error) =>
        error.Contains("does not exist", StringComparison.Ordinal)
            ? ErrorCodes.NotFound
            : ErrorCodes.ForbiddenPath;

    private static Resolution Refuse(string reason, string code) => new(null, "", reason, code);
}
