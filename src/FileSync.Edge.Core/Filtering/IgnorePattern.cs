using System.Text;

namespace FileSync.Edge.Filtering;

/// <summary>One parsed line of a gitignore-syntax file.</summary>
/// <remarks>
/// Line rules from gitignore(5), checked against <c>git check-ignore</c>: the line is the raw
/// bytes of the file (git does not decode it, so bytes that are not valid UTF-8 are matched as
/// they are); a trailing carriage return is dropped; blank lines and lines starting with
/// <c>#</c> are not patterns; a NUL byte ends the line (git reads it as a C string); trailing
/// spaces are removed unless escaped by a backslash (tabs and leading spaces are kept);
/// a leading <c>!</c> negates (<c>\!</c> and <c>\#</c> are literals); a trailing <c>/</c>
/// restricts the pattern to directories; a <c>/</c> anywhere else anchors the pattern to the
/// directory of its file (one leading <c>/</c> is dropped), otherwise the pattern is matched
/// against the last path component at any depth.
/// </remarks>
internal sealed class IgnorePattern
{
    private readonly GlobPattern _glob;

    private IgnorePattern(
        string text,
        GlobPattern glob,
        bool negated,
        bool directoryOnly,
        bool anchored
    )
    {
        Text = text;
        _glob = glob;
        IsNegated = negated;
        IsDirectoryOnly = directoryOnly;
        IsAnchored = anchored;
    }

    /// <summary>The pattern line as written (after trimming, decoded as UTF-8), for diagnostics.</summary>
    public string Text { get; }

    /// <summary>The line started with <c>!</c>: a match re-includes the path.</summary>
    public bool IsNegated { get; }

    /// <summary>The line ended with <c>/</c>: only directories match.</summary>
    public bool IsDirectoryOnly { get; }

    /// <summary>
    /// The pattern contains a <c>/</c> (other than a trailing one), so it is matched against the
    /// path relative to the ignore file's directory rather than against the last component.
    /// </summary>
    public bool IsAnchored { get; }

    /// <summary>
    /// Parses one line, given as the bytes of the ignore file (UTF-8 for any sensible file).
    /// Returns null for blank lines, comments, and patterns that can never match (e.g. an
    /// unclosed <c>[</c>); never throws.
    /// </summary>
    public static IgnorePattern? Parse(ReadOnlySpan<byte> line)
    {
        if (line.Length > 0 && line[^1] == '\r')
        {
            line = line[..^1];
        }

        if (line.IsEmpty || line[0] == '#')
        {
            return null;
        }

        var nul = line.IndexOf((byte)0);
        if (nul >= 0)
        {
            line = line[..nul];
        }

        line = TrimUnescapedTrailingSpaces(line);
        if (line.IsEmpty)
        {
            return null;
        }

        var text = Encoding.UTF8.GetString(line);
        var negated = line[0] == '!';
        if (negated)
        {
            line = line[1..];
        }

        var directoryOnly = line.Length > 0 && line[^1] == '/';
        if (directoryOnly)
        {
            line = line[..^1];
        }

        if (line.IsEmpty)
        {
            return null;
        }

        var anchored = line.Contains((byte)'/');
        if (line[0] == '/')
        {
            line = line[1..];
        }

        var glob = GlobPattern.Compile(line);
        return glob is null
            ? null
            : new IgnorePattern(text, glob, negated, directoryOnly, anchored);
    }

    /// <summary>
    /// True when the pattern matches. <paramref name="relativePath"/> (UTF-8) is relative to
    /// the directory of the ignore file; <paramref name="name"/> is its last component.
    /// </summary>
    public bool IsMatch(
        ReadOnlySpan<byte> relativePath,
        ReadOnlySpan<byte> name,
        bool isDirectory,
        bool ignoreCase
    )
    {
        if (IsDirectoryOnly && !isDirectory)
        {
            return false;
        }

        return _glob.IsMatch(IsAnchored ? relativePath : name, ignoreCase);
    }

    public override string ToString() => Text;

    private static ReadOnlySpan<byte> TrimUnescapedTrailingSpaces(ReadOnlySpan<byte> line)
    {
        var end = line.Length;
        while (end > 0 && line[end - 1] == ' ')
        {
            // The space is escaped when an odd number of backslashes precede it.
            var backslashes = 0;
            for (var i = end - 2; i >= 0 && line[i] == '\\'; i--)
            {
                backslashes++;
            }

            if (backslashes % 2 == 1)
            {
                break;
            }

            end--;
        }

        return line[..end];
    }
}
