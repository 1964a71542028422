using System.Text;
using System.Text.Unicode;
using FileSync.Edge.Workspace;

namespace FileSync.Edge.Filtering;

/// <summary>
/// The patterns that apply from one directory: the contents of its <c>.gitignore</c> followed by
/// its <c>.aishignore</c> (or the built-in and <c>info/exclude</c> patterns, based at the root).
/// Immutable, so it can be shared between threads.
/// </summary>
internal sealed class IgnoreRuleSet
{
    private readonly IgnorePattern[] _patterns;

    public IgnoreRuleSet(string baseDirectory, IgnorePattern[] patterns)
    {
        BaseDirectory = baseDirectory;
        BaseDirectoryUtf8Length = Encoding.UTF8.GetByteCount(baseDirectory);
        _patterns = patterns;
    }

    /// <summary>The directory the patterns are relative to: '/'-separated, "" for the root.</summary>
    public string BaseDirectory { get; }

    /// <summary>The length of <see cref="BaseDirectory"/> in UTF-8 bytes.</summary>
    public int BaseDirectoryUtf8Length { get; }

    /// <summary>Parses gitignore-syntax text (a BOM and CRLF line ends are accepted).</summary>
    public static IgnorePattern[] ParsePatterns(ReadOnlySpan<char> content) =>
        ParsePatterns(Encoding.UTF8.GetBytes(content.ToString()));

    /// <summary>
    /// Parses the bytes of a gitignore-syntax file (a UTF-8 BOM and CRLF line ends are
    /// accepted). Like git, the bytes are not decoded: patterns match the UTF-8 bytes of paths. Text
    /// in another Unicode form is first brought to NFC, the form paths have here (git's
    /// <c>core.precomposeUnicode</c>, macOS's default, compares NFC paths).
    /// </summary>
    public static IgnorePattern[] ParsePatterns(ReadOnlySpan<byte> content)
    {
        if (content.StartsWith("\uFEFF"u8))
        {
            content = content[3..];
        }
        if (!Ascii.IsValid(content) && Utf8.IsValid(content))
        {
            var text = Encoding.UTF8.GetString(content);
            var nfc = UnicodeNfc.Normalize(text);
            if (nfc != text)
            {
                content = Encoding.UTF8.GetBytes(nfc);
            }
        }

        var patterns = new List<IgnorePattern>();
        foreach (var range in content.Split((byte)'\n'))
        {
            if (IgnorePattern.Parse(content[range]) is { } pattern)
            {
                patterns.Add(pattern);
            }
        }

        return [.. patterns];
    }

    /// <summary>
    /// Reads and parses the given ignore files in order (later files take precedence). Missing
    /// and unreadable files count as empty, and so do symbolic links unless
    /// <paramref name="followSymlinks"/> (git does not follow them for ignore files inside the
    /// working tree). Returns null when no pattern was found.
    /// </summary>
    public static IgnoreRuleSet? Load(
        string baseDirectory,
        bool followSymlinks,
        params ReadOnlySpan<string> filePaths
    )
    {
        List<IgnorePattern>? patterns = null;
        foreach (var filePath in filePaths)
        {
            var content = TryReadBytes(filePath, followSymlinks);
            if (content is null)
            {
                continue;
            }

            var parsed = ParsePatterns(content);
            if (parsed.Length > 0)
            {
                (patterns ??= []).AddRange(parsed);
            }
        }

        return patterns is null ? null : new IgnoreRuleSet(baseDirectory, [.. patterns]);
    }

    /// <summary>
    /// The verdict of the last pattern that matches the UTF-8 path: true = excluded, false =
    /// re-included by a <c>!</c> pattern, null = no pattern matches.
    /// </summary>
    public bool? Match(
        ReadOnlySpan<byte> relativePath,
        ReadOnlySpan<byte> name,
        bool isDirectory,
        bool ignoreCase
    )
    {
        for (var i = _patterns.Length - 1; i >= 0; i--)
        {
            var pattern = _patterns[i];
            if (pattern.IsMatch(relativePath, name, isDirectory, ignoreCase))
            {
                return !pattern.IsNegated;
            }
        }

        return null;
    }

    private static byte[]? TryReadBytes(string filePath, bool followSymlinks)
    {
        try
        {
            var info = new FileInfo(filePath);
            if (
                !info.Exists
                || (!followSymlinks && info.Attributes.HasFlag(FileAttributes.ReparsePoint))
            )
            {
                return null;
            }

            return File.ReadAllBytes(filePath);
        }
        catch (Exception ex)
            when (ex
                    is IOException
                        or UnauthorizedAccessException
                        or NotSupportedException
                        or ArgumentException
            )
        {
            return null;
        }
    }
}
