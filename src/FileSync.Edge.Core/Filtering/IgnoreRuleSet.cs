using System.Text;

namespace FileSync.Edge.Filtering;

/// <summary>
/// The patterns that apply from one directory: those of every ignore source there, lowest
/// precedence first (see <see cref="Sources.IgnoreSources.ReadRules"/>). Immutable, so it can be
/// shared between threads.
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
    /// accepted). Like git, the bytes are not decoded: patterns match the UTF-8 bytes of paths.
    /// </summary>
    public static IgnorePattern[] ParsePatterns(ReadOnlySpan<byte> content)
    {
        if (content.StartsWith("\uFEFF"u8))
        {
            content = content[3..];
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

    /// <summary>True when <paramref name="other"/> has the same base directory and the same pattern lines.</summary>
    public bool HasSamePatterns(IgnoreRuleSet? other)
    {
        if (other is null || other.BaseDirectory != BaseDirectory)
        {
            return false;
        }
        if (other._patterns.Length != _patterns.Length)
        {
            return false;
        }
        for (var i = 0; i < _patterns.Length; i++)
        {
            if (other._patterns[i].Text != _patterns[i].Text)
            {
                return false;
            }
        }
        return true;
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
}
