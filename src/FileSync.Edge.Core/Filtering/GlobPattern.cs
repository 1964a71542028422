using System.Buffers;

namespace FileSync.Edge.Filtering;

/// <summary>
/// A compiled gitignore glob (the pattern after the <c>!</c>, trailing <c>/</c> and leading
/// <c>/</c> have been handled by <see cref="IgnorePattern"/>), matched against the UTF-8 bytes
/// of a <c>/</c>-separated path.
/// </summary>
/// <remarks>
/// <para>Semantics, from gitignore(5) and git's wildmatch, checked against <c>git check-ignore</c>:</para>
/// <list type="bullet">
/// <item>Like git, matching works on bytes, not characters: <c>*</c> matches any run of bytes
/// except <c>/</c>; <c>?</c> and <c>[...]</c> match one byte except <c>/</c>; <c>\x</c> matches
/// the byte <c>x</c> literally. So <c>caf?.txt</c> does not match <c>café.txt</c> (é is two
/// bytes in UTF-8) while <c>caf??.txt</c> does, and <c>[é]</c> is the set of é's two bytes
/// (see <see cref="BracketExpression"/>).</item>
/// <item>A run of two or more asterisks is a "globstar" when it is at a boundary — the start
/// of the pattern, right after a <c>/</c>, or preceded only by ordinary bytes (no
/// <c>*?[\</c>) — and is followed by <c>/</c> or ends the pattern. Any other run behaves like a
/// single <c>*</c> (<c>x/**q</c>, <c>*a**/c</c>).</item>
/// <item>A globstar followed by <c>/</c> matches nothing at all (the <c>/</c> included) or any
/// bytes ending with <c>/</c>: <c>**/foo</c> and <c>a/**/b</c> match zero or more
/// directories. A globstar at the end matches any bytes including <c>/</c> (<c>a/**</c>).</item>
/// <item>The "preceded only by ordinary bytes" boundary mirrors git, which compares a
/// pattern's literal prefix separately and runs wildmatch on the rest: so <c>x/a**</c> matches
/// <c>x/ab/c</c>, and <c>a**/c</c> matches <c>ab/x/c</c> and even <c>ac</c>, while
/// <c>\a**/c</c> or <c>*a**/c</c> do not cross a <c>/</c>.</item>
/// <item>A malformed pattern (unclosed <c>[</c>, trailing backslash, unknown <c>[:class:]</c>)
/// never matches: <see cref="Compile"/> returns null.</item>
/// <item>Case-insensitive matching folds ASCII letters only, as git does (see
/// <see cref="AsciiCase"/>); bracket expressions fold the way git does (see
/// <see cref="BracketExpression.Matches"/>).</item>
/// </list>
/// <para>General patterns run as an NFA (<see cref="GlobAutomaton"/>); literals, <c>*literal</c>
/// and <c>literal*</c> are plain byte comparisons.</para>
/// </remarks>
internal sealed class GlobPattern
{
    private static readonly SearchValues<byte> _globSpecials = SearchValues.Create("*?[\\"u8);

    private readonly GlobToken[] _tokens;
    private readonly MatchKind _kind;
    private readonly byte[] _literal;

    // Cheap rejections before the automaton runs: a general pattern's leading and trailing runs
    // of literal bytes must start and end the text, and its longest literal run must occur.
    private readonly byte[] _literalPrefix = [];
    private readonly byte[] _literalSuffix = [];
    private readonly byte[] _requiredLiteral = [];

    private GlobPattern(GlobToken[] tokens, MatchKind kind, byte[] literal)
    {
        _tokens = tokens;
        _kind = kind;
        _literal = literal;
        if (kind == MatchKind.General)
        {
            var start = 0;
            while (start < tokens.Length && tokens[start].Kind == GlobTokenKind.Literal)
            {
                start++;
            }

            var end = tokens.Length;
            while (end > start && tokens[end - 1].Kind == GlobTokenKind.Literal)
            {
                end--;
            }

            _literalPrefix = LiteralOf(tokens.AsSpan(0, start));
            _literalSuffix = LiteralOf(tokens.AsSpan(end));
            _requiredLiteral = LongestLiteralRun(tokens.AsSpan(start, end - start));
        }
    }

    private enum MatchKind
    {
        /// <summary>No wildcard: the text must equal the literal.</summary>
        Exact,

        /// <summary><c>*literal</c>: the text ends with the literal, no <c>/</c> before it.</summary>
        Suffix,

        /// <summary><c>literal*</c>: the text starts with the literal, no <c>/</c> after it.</summary>
        Prefix,

        /// <summary>The general token automaton.</summary>
        General,
    }

    /// <summary>
    /// Compiles the UTF-8 <paramref name="pattern"/>; returns null when it is malformed and so
    /// can never match anything (git aborts the match in that case).
    /// </summary>
    public static GlobPattern? Compile(ReadOnlySpan<byte> pattern)
    {
        var tokens = new List<GlobToken>(pattern.Length);
        var i = 0;
        while (i < pattern.Length)
        {
            var b = pattern[i];
            switch (b)
            {
                case (byte)'*':
                {
                    var end = i;
                    while (end < pattern.Length && pattern[end] == '*')
                    {
                        end++;
                    }

                    var globstar =
                        end - i >= 2
                        && (
                            i == 0
                            || pattern[i - 1] == '/'
                            || !pattern[..i].ContainsAny(_globSpecials)
                        );
                    var slashAfter = end < pattern.Length && pattern[end] == '/';
                    var escapedSlashAfter =
                        end + 1 < pattern.Length && pattern[end] == '\\' && pattern[end + 1] == '/';
                    if (globstar && slashAfter)
                    {
                        tokens.Add(new GlobToken(GlobTokenKind.Directories));
                        tokens.Add(new GlobToken(GlobTokenKind.DirectoriesLoop));
                        i = end + 1;
                    }
                    else if (globstar && (escapedSlashAfter || end == pattern.Length))
                    {
                        tokens.Add(new GlobToken(GlobTokenKind.CrossStar));
                        i = end;
                    }
                    else
                    {
                        tokens.Add(new GlobToken(GlobTokenKind.Star));
                        i = end;
                    }

                    break;
                }

                case (byte)'?':
                    tokens.Add(new GlobToken(GlobTokenKind.AnyByte));
                    i++;
                    break;

                case (byte)'[':
                    if (!BracketExpression.TryParse(pattern, i, out var bracket, out var next))
                    {
                        return null;
                    }

                    tokens.Add(new GlobToken(GlobTokenKind.Bracket, Bracket: bracket));
                    i = next;
                    break;

                case (byte)'\\':
                    // Escapes one byte: "\é" is é's first byte, then its second as a literal.
                    if (i + 1 >= pattern.Length)
                    {
                        return null;
                    }

                    tokens.Add(new GlobToken(GlobTokenKind.Literal, pattern[i + 1]));
                    i += 2;
                    break;

                default:
                    tokens.Add(new GlobToken(GlobTokenKind.Literal, b));
                    i++;
                    break;
            }
        }

        return Create([.. tokens]);
    }

    /// <summary>True when the whole of the UTF-8 <paramref name="text"/> matches the pattern.</summary>
    public bool IsMatch(ReadOnlySpan<byte> text, bool ignoreCase)
    {
        switch (_kind)
        {
            case MatchKind.Exact:
                return AsciiCase.AreEqual(text, _literal, ignoreCase);
            case MatchKind.Suffix:
                return AsciiCase.EndsWith(text, _literal, ignoreCase)
                    && !text[..^_literal.Length].Contains((byte)'/');
            case MatchKind.Prefix:
                return AsciiCase.StartsWith(text, _literal, ignoreCase)
                    && !text[_literal.Length..].Contains((byte)'/');
            default:
                return text.Length >= _literalPrefix.Length + _literalSuffix.Length
                    && AsciiCase.StartsWith(text, _literalPrefix, ignoreCase)
                    && AsciiCase.EndsWith(text, _literalSuffix, ignoreCase)
                    && (
                        _requiredLiteral.Length == 0
                        || AsciiCase.Contains(text, _requiredLiteral, ignoreCase)
                    )
                    && GlobAutomaton.Run(_tokens, text, ignoreCase);
        }
    }

    private static GlobPattern Create(GlobToken[] tokens)
    {
        var literalCount = 0;
        foreach (var token in tokens)
        {
            if (token.Kind == GlobTokenKind.Literal)
            {
                literalCount++;
            }
        }

        if (literalCount == tokens.Length)
        {
            return new GlobPattern(tokens, MatchKind.Exact, LiteralOf(tokens));
        }

        if (literalCount == tokens.Length - 1)
        {
            // "*.log" / "foo*": one single star, literals without '/' on the other side.
            if (tokens[0].Kind == GlobTokenKind.Star)
            {
                var literal = LiteralOf(tokens.AsSpan(1));
                if (!literal.AsSpan().Contains((byte)'/'))
                {
                    return new GlobPattern(tokens, MatchKind.Suffix, literal);
                }
            }
            else if (tokens[^1].Kind == GlobTokenKind.Star)
            {
                var literal = LiteralOf(tokens.AsSpan(0, tokens.Length - 1));
                return new GlobPattern(tokens, MatchKind.Prefix, literal);
            }
        }

        return new GlobPattern(tokens, MatchKind.General, []);
    }

    private static byte[] LiteralOf(ReadOnlySpan<GlobToken> tokens)
    {
        var bytes = new byte[tokens.Length];
        for (var i = 0; i < tokens.Length; i++)
        {
            bytes[i] = tokens[i].Byte;
        }

        return bytes;
    }

    private static byte[] LongestLiteralRun(ReadOnlySpan<GlobToken> tokens)
    {
        var bestStart = 0;
        var bestLength = 0;
        var runStart = 0;
        for (var i = 0; i <= tokens.Length; i++)
        {
            if (i < tokens.Length && tokens[i].Kind == GlobTokenKind.Literal)
            {
                continue;
            }

            if (i - runStart > bestLength)
            {
                bestStart = runStart;
                bestLength = i - runStart;
            }

            runStart = i + 1;
        }

        return LiteralOf(tokens.Slice(bestStart, bestLength));
    }
}
