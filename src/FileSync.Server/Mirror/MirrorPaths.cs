using System.Diagnostics.CodeAnalysis;

namespace FileSync.Server.Mirror;

/// <summary>
/// Pure checks of the names an edge sends. A relative path is '/'-separated; it is refused when it
/// is empty, rooted, too long, or has a segment this server's OS cannot store (see
/// <see cref="TryValidateSegment"/>). A workspace name is one segment under the same rules. Reasons
/// name the rule and never echo the input (it may hold control characters).
/// </summary>
internal static class MirrorPaths
{
    /// <summary>Longest relative path accepted, in characters.</summary>
    public const int MaxRelativePathLength = 4096;

    private static readonly char[] s_invalidNameChars = Path.GetInvalidFileNameChars();

    private static readonly HashSet<string> s_windowsDeviceNames = new(
        StringComparer.OrdinalIgnoreCase
    )
    {
        "CON",
        "PRN",
        "AUX",
        "NUL",
        "COM1",
        "COM2",
        "COM3",
        "COM4",
        "COM5",
        "COM6",
        "COM7",
        "COM8",
        "COM9",
        "LPT1",
        "LPT2",
        "LPT3",
        "LPT4",
        "LPT5",
        "LPT6",
        "LPT7",
        "LPT8",
        "LPT9",
    };

    /// <summary>
    /// Last segment of an absolute path on the edge, which may be a POSIX or a Windows path:
    /// both separators count here, and trailing separators are ignored.
    /// </summary>
    public static string LastSegment(string path)
    {
        var trimmed = path.TrimEnd('/', '\\');
        var index = trimmed.LastIndexOfAny(['/', '\\']);
        return index < 0 ? trimmed : trimmed[(index + 1)..];
    }

    /// <summary>
    /// The workspace root on the edge when a payload has no <c>workspace</c>: its <c>path</c> minus
    /// <c>/relativePath</c> (either separator). Null when <paramref name="path"/> does not end so.
    /// </summary>
    public static string? DeriveWorkspaceRoot(string path, string relativePath)
    {
        if (relativePath.Length == 0 || path.Length <= relativePath.Length)
        {
            return null;
        }
        var rootLength = path.Length - relativePath.Length - 1;
        var separator = path[rootLength];
        if (separator is not ('/' or '\\'))
        {
            return null;
        }
        for (var i = 0; i < relativePath.Length; i++)
        {
            var expected = relativePath[i];
            var actual = path[rootLength + 1 + i];
            if (actual != expected && !(expected == '/' && actual == '\\'))
            {
                return null;
            }
        }
        return rootLength == 0 ? path[..1] : path[..rootLength];
    }

    /// <summary>Validates a workspace folder name (a single segment).</summary>
    public static bool TryValidateWorkspaceName(
        string name,
        [NotNullWhen(false)] out string? reason
    )
    {
        if (name.Contains('/', StringComparison.Ordinal))
        {
            reason = "workspace name contains '/'";
            return false;
        }
        if (!TryValidateSegment(name, isFirst: true, out reason))
        {
            reason = "workspace name: " + reason;
            return false;
        }
        return true;
    }

    /// <summary>
    /// True when <paramref name="reason"/> (from <see cref="TryValidateRelativePath"/>) refuses a path
    /// that escapes or is not a path at all (absolute, empty, <c>.</c>/<c>..</c>): <c>forbidden_path</c>.
    /// Every other reason is a name this server cannot store: <c>unsupported_name</c>.
    /// </summary>
    public static bool IsForbiddenReason(string reason) =>
        reason
            is "relative path is empty"
                or "relative path is absolute"
                or "empty path segment"
                or "'.' or '..' segment";

    /// <summary>Validates a relative path and splits it into its segments.</summary>
    public static bool TryValidateRelativePath(
        string relativePath,
        [NotNullWhen(true)] out string[]? segments,
        [NotNullWhen(false)] out string? reason
    )
    {
        segments = null;
        if (relativePath.Length == 0)
        {
            reason = "relative path is empty";
            return false;
        }
        if (relativePath.Length > MaxRelativePathLength)
        {
            reason = "relative path is too long";
            return false;
        }
        if (relativePath[0] == '/' || Path.IsPathRooted(relativePath))
        {
            reason = "relative path is absolute";
            return false;
        }
        var parts = relativePath.Split('/');
        for (var i = 0; i < parts.Length; i++)
        {
            if (!TryValidateSegment(parts[i], isFirst: i == 0, out reason))
            {
                return false;
            }
        }
        segments = parts;
        reason = null;
        return true;
    }

    /// <summary>True when <paramref name="fullPath"/> lies strictly inside <paramref name="directory"/> (both full paths).</summary>
    public static bool IsStrictlyInside(string directory, string fullPath)
    {
        var prefix = Path.EndsInDirectorySeparator(directory)
            ? directory
            : directory + Path.DirectorySeparatorChar;
        return fullPath.Length > prefix.Length && fullPath.StartsWith(prefix, PathComparison);
    }

    /// <summary>How the server's file system compares names.</summary>
    public static StringComparison PathComparison =>
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS()
            ? StringComparison.OrdinalIgnoreCase
            : StringComparison.Ordinal;

    /// <summary>Comparer matching <see cref="PathComparison"/>.</summary>
    public static StringComparer PathComparer =>
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS()
            ? StringComparer.OrdinalIgnoreCase
            : StringComparer.Ordinal;

    /// <summary>Longest name of one segment, in UTF-8 bytes (NAME_MAX on Linux; 255 UTF-16 units elsewhere).</summary>
    public const int MaxSegmentBytes = 255;

    /// <summary>
    /// A segment is refused only when this server cannot store it on its own OS: everywhere an empty,
    /// <c>.</c> or <c>..</c> segment, a NUL, text that is not valid Unicode (a lone surrogate) and a name
    /// over 255 bytes; on Windows also what NTFS and Win32 refuse (drive letters, backslash, control
    /// characters, <c>&lt;&gt;:"|?*</c>, device names, a trailing dot or space). Newlines, tabs, DEL,
    /// U+0085, backslashes and colons are ordinary name characters on Linux and macOS.
    /// </summary>
    private static bool TryValidateSegment(
        string segment,
        bool isFirst,
        [NotNullWhen(false)] out string? reason
    )
    {
        if (segment.Length == 0)
        {
            reason = "empty path segment";
            return false;
        }
        if (segment is "." or "..")
        {
            reason = "'.' or '..' segment";
            return false;
        }
        if (segment.Contains('\0'))
        {
            reason = "NUL character in a name";
            return false;
        }
        if (!IsValidUnicode(segment))
        {
            reason = "name is not valid Unicode (a lone surrogate)";
            return false;
        }
        if (System.Text.Encoding.UTF8.GetByteCount(segment) > MaxSegmentBytes)
        {
            reason = $"name longer than {MaxSegmentBytes} bytes";
            return false;
        }
        if (OperatingSystem.IsWindows() && !IsStorableOnWindows(segment, isFirst, out reason))
        {
            return false;
        }
        reason = null;
        return true;
    }

    private static bool IsValidUnicode(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (
                char.IsHighSurrogate(text[i])
                && i + 1 < text.Length
                && char.IsLowSurrogate(text[i + 1])
            )
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return false;
            }
        }
        return true;
    }

    private static bool IsStorableOnWindows(
        string segment,
        bool isFirst,
        [NotNullWhen(false)] out string? reason
    )
    {
        if (isFirst && segment.Length >= 2 && segment[1] == ':' && char.IsAsciiLetter(segment[0]))
        {
            reason = "drive letter (Windows)";
            return false;
        }
        foreach (var c in segment)
        {
            if (c == '\\')
            {
                reason = "backslash (Windows)";
                return false;
            }
            if (char.IsControl(c))
            {
                reason = "control character (Windows)";
                return false;
            }
        }
        if (segment.AsSpan().IndexOfAny(s_invalidNameChars) >= 0)
        {
            reason = "character Windows does not allow in names";
            return false;
        }
        if (!IsSafeOnWindows(segment))
        {
            reason = "device name or trailing dot or space (Windows)";
            return false;
        }
        reason = null;
        return true;
    }

    private static bool IsSafeOnWindows(string segment)
    {
        if (segment[^1] is '.' or ' ')
        {
            return false;
        }
        var dot = segment.IndexOf('.', StringComparison.Ordinal);
        var stem = dot < 0 ? segment : segment[..dot];
        return !s_windowsDeviceNames.Contains(stem.TrimEnd(' '));
    }
}
