namespace FileSync.Edge.Workspace;

/// <summary>
/// The form of a path from the server, checked without touching the disk. Refused outright: empty
/// paths, NUL characters, paths longer than <see cref="MaxPathLength"/>, UNC and device paths
/// (<c>\\server\share</c>, <c>\\.\</c>, <c>\\?\</c>, <c>//…</c>) and relative or drive-relative paths; on
/// Windows also reserved device names (<c>CON</c>, <c>NUL</c>, <c>COM1</c>, …), alternate data streams,
/// 8.3 short names and names ending in a dot or space, which Windows would silently open as a different
/// file than the one checked.
/// </summary>
public static class PathShape
{
    /// <summary>Longest path accepted from the server, in characters.</summary>
    public const int MaxPathLength = 4096;

    /// <summary>Why <paramref name="requested"/> is refused, or null when it is an absolute local path worth looking at.</summary>
    public static string? Check(string? requested)
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
    /// Windows-only name rules (<see cref="Check"/>): on Linux and macOS these are ordinary file names.
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

    private static bool IsAnySeparator(char c) => c is '/' or '\\';
}
