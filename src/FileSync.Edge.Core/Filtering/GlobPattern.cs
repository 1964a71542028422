namespace FileSync.Edge.Filtering;

/// <summary>
/// A compiled gitignore glob (the pattern text after the <c>!</c>, trailing <c>/</c> and leading
/// <c>/</c> have been handled by <see cref="IgnorePattern"/>), matched against a
/// <c>/</c>-separated path.
/// </summary>
/// <remarks>
/// <para>Semantics, from gitignore(5) and checked against <c>git check-ignore</c>:</para>
/// <list type="bullet">
/// <item><c>*</c> matches any run of characters except <c>/</c>; <c>?</c> and <c>[...]</c> match
/// one character except <c>/</c>; <c>\x</c> matches <c>x</c> literally.</item>
/// <item>A run of two or more asterisks is a "globstar" when it is at a boundary — the start
/// of the pattern, right after a <c>/</c>, or preceded only by ordinary characters (no
/// <c>*?[\</c>) — and is followed by <c>/</c> or ends the pattern. Any other run behaves like a
/// single <c>*</c> (<c>x/**q</c>, <c>*a**/c</c>).</item>
/// <item>A globstar followed by <c>/</c> matches nothing at all (the <c>/</c> included) or any
/// characters ending with <c>/</c>: <c>**/foo</c> and <c>a/**/b</c> match zero or more
/// directories. A globstar at the end matches any characters including <c>/</c> (<c>a/**</c>).</item>
/// <item>The "preceded only by ordinary characters" boundary mirrors git, which compares a
/// pattern's literal prefix separately and runs wildmatch on the rest: so <c>x/a**</c> matches
/// <c>x/ab/c</c>, and <c>a**/c</c> matches <c>ab/x/c</c> and even <c>ac</c>, while
/// <c>\a**/c</c> or <c>*a**/c</c> do not cross a <c>/</c>.</item>
/// <item>A malformed pattern (unclosed <c>[</c>, trailing backslash, unknown <c>[:class:]</c>)
/// never matches: <see cref="Compile"/> returns null.</item>
/// </list>
/// <para>
/// Matching is per UTF-16 character, not per UTF-8 byte as in git, so <c>?</c> matches one
/// non-ASCII letter. Case-insensitive matching folds literal characters with ordinal
/// (invariant) rules, also beyond ASCII where git folds only ASCII; bracket expressions fold the
/// way git does (see <see cref="BracketExpression.Matches"/>).
/// </para>
/// <para>Matching runs a small NFA over the tokens (no backtracking), so time is linear in the
/// path length times the pattern length whatever the pattern.</para>
/// </remarks>
internal sealed class GlobPattern
{
    private static readonly System.Buffers.SearchValues<char> _globSpecials =
        System.Buffers.SearchValues.Create("*?[\\");

    private readonly Token[] _tokens;
    private readonly MatchKind _kind;
    private readonly string _literal;

    // Cheap rejections before the automaton runs: a general pattern's leading and trailing runs
    // of literal characters must start and end the text, and its longest literal run must occur.
    private readonly string _literalPrefix = string.Empty;
    private readonly string _literalSuffix = string.Empty;
    private readonly string _requiredLiteral = string.Empty;

    private GlobPattern(Token[] tokens, MatchKind kind, string literal)
    {
        _tokens = tokens;
        _kind = kind;
        _literal = literal;
        if (kind == MatchKind.General)
        {
            var start = 0;
            while (start < tokens.Length && tokens[start].Kind == TokenKind.Literal)
            {
                start++;
            }

            var end = tokens.Length;
            while (end > start && tokens[end - 1].Kind == TokenKind.Literal)
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

    private enum TokenKind : byte
    {
        /// <summary>One character equal to <see cref="Token.Char"/>.</summary>
        Literal,

        /// <summary><c>?</c>: one character other than <c>/</c>.</summary>
        AnyChar,

        /// <summary><c>[...]</c>: one character accepted by <see cref="Token.Bracket"/>.</summary>
        Bracket,

        /// <summary><c>*</c>: zero or more characters other than <c>/</c>.</summary>
        Star,

        /// <summary>A globstar that ends the pattern (or precedes <c>\/</c>): zero or more of any character.</summary>
        CrossStar,

        /// <summary>
        /// A globstar followed by <c>/</c>: empty, or any characters ending with <c>/</c>. It is
        /// always followed by a <see cref="DirectoriesLoop"/> token; both share the same rest.
        /// </summary>
        Directories,

        /// <summary>The inner state of <see cref="Directories"/>, once it has consumed a character.</summary>
        DirectoriesLoop,
    }

    /// <summary>
    /// Compiles <paramref name="pattern"/>; returns null when it is malformed and so can never
    /// match anything (git aborts the match in that case).
    /// </summary>
    public static GlobPattern? Compile(ReadOnlySpan<char> pattern)
    {
        var tokens = new List<Token>(pattern.Length);
        var i = 0;
        while (i < pattern.Length)
        {
            var c = pattern[i];
            switch (c)
            {
                case '*':
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
                        tokens.Add(new Token(TokenKind.Directories));
                        tokens.Add(new Token(TokenKind.DirectoriesLoop));
                        i = end + 1;
                    }
                    else if (globstar && (escapedSlashAfter || end == pattern.Length))
                    {
                        tokens.Add(new Token(TokenKind.CrossStar));
                        i = end;
                    }
                    else
                    {
                        tokens.Add(new Token(TokenKind.Star));
                        i = end;
                    }

                    break;
                }

                case '?':
                    tokens.Add(new Token(TokenKind.AnyChar));
                    i++;
                    break;

                case '[':
                    if (!BracketExpression.TryParse(pattern, i, out var bracket, out var next))
                    {
                        return null;
                    }

                    tokens.Add(new Token(TokenKind.Bracket, Bracket: bracket));
                    i = next;
                    break;

                case '\\':
                    if (i + 1 >= pattern.Length)
                    {
                        return null;
                    }

                    tokens.Add(new Token(TokenKind.Literal, pattern[i + 1]));
                    i += 2;
                    break;

                default:
                    tokens.Add(new Token(TokenKind.Literal, c));
                    i++;
                    break;
            }
        }

        return Create([.. tokens]);
    }

    /// <summary>True when the whole of <paramref name="text"/> matches the pattern.</summary>
    public bool IsMatch(ReadOnlySpan<char> text, bool ignoreCase)
    {
        var comparison = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        switch (_kind)
        {
            case MatchKind.Exact:
                return text.Equals(_literal, comparison);
            case MatchKind.Suffix:
                return text.Length >= _literal.Length
                    && text.EndsWith(_literal, comparison)
                    && !text[..^_literal.Length].Contains('/');
            case MatchKind.Prefix:
                return text.Length >= _literal.Length
                    && text.StartsWith(_literal, comparison)
                    && !text[_literal.Length..].Contains('/');
            default:
                return text.StartsWith(_literalPrefix, comparison)
                    && text.EndsWith(_literalSuffix, comparison)
                    && (_requiredLiteral.Length == 0 || text.Contains(_requiredLiteral, comparison))
                    && RunAutomaton(text, ignoreCase);
        }
    }

    private static GlobPattern Create(Token[] tokens)
    {
        var literalCount = 0;
        foreach (var token in tokens)
        {
            if (token.Kind == TokenKind.Literal)
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
            if (tokens[0].Kind == TokenKind.Star)
            {
                var literal = LiteralOf(tokens.AsSpan(1));
                if (!literal.Contains('/', StringComparison.Ordinal))
                {
                    return new GlobPattern(tokens, MatchKind.Suffix, literal);
                }
            }
            else if (tokens[^1].Kind == TokenKind.Star)
            {
                var literal = LiteralOf(tokens.AsSpan(0, tokens.Length - 1));
                return new GlobPattern(tokens, MatchKind.Prefix, literal);
            }
        }

        return new GlobPattern(tokens, MatchKind.General, string.Empty);
    }

    private static string LiteralOf(ReadOnlySpan<Token> tokens)
    {
        var chars = new char[tokens.Length];
        for (var i = 0; i < tokens.Length; i++)
        {
            chars[i] = tokens[i].Char;
        }

        return new string(chars);
    }

    private static string LongestLiteralRun(ReadOnlySpan<Token> tokens)
    {
        var bestStart = 0;
        var bestLength = 0;
        var runStart = 0;
        for (var i = 0; i <= tokens.Length; i++)
        {
            if (i < tokens.Length && tokens[i].Kind == TokenKind.Literal)
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

    private bool RunAutomaton(ReadOnlySpan<char> text, bool ignoreCase)
    {
        // State s means "the next token to match is _tokens[s]"; state _tokens.Length accepts.
        var stateCount = _tokens.Length + 1;
        var words = (stateCount + 63) / 64;
        Span<ulong> buffer = words <= 8 ? stackalloc ulong[16] : new ulong[words * 2];
        var current = buffer[..words];
        var next = buffer.Slice(words, words);
        current.Clear();
        Set(current, 0);
        Close(current);

        foreach (var c in text)
        {
            next.Clear();
            var any = false;
            for (var w = 0; w < words; w++)
            {
                var bits = current[w];
                while (bits != 0)
                {
                    var state = (w * 64) + System.Numerics.BitOperations.TrailingZeroCount(bits);
                    bits &= bits - 1;
                    if (state >= _tokens.Length)
                    {
                        continue;
                    }

                    any |= Step(_tokens[state], state, c, ignoreCase, next);
                }
            }

            if (!any)
            {
                return false;
            }

            Close(next);
            var swap = current;
            current = next;
            next = swap;
        }

        return IsSet(current, _tokens.Length);
    }

    private static bool Step(Token token, int state, char c, bool ignoreCase, Span<ulong> next)
    {
        switch (token.Kind)
        {
            case TokenKind.Literal:
                if (
                    c == token.Char
                    || (ignoreCase && char.ToUpperInvariant(c) == char.ToUpperInvariant(token.Char))
                )
                {
                    Set(next, state + 1);
                    return true;
                }

                return false;
            case TokenKind.AnyChar:
                if (c != '/')
                {
                    Set(next, state + 1);
                    return true;
                }

                return false;
            case TokenKind.Bracket:
                if (token.Bracket!.Matches(c, ignoreCase))
                {
                    Set(next, state + 1);
                    return true;
                }

                return false;
            case TokenKind.Star:
                if (c != '/')
                {
                    Set(next, state);
                    return true;
                }

                return false;
            case TokenKind.CrossStar:
                Set(next, state);
                return true;
            case TokenKind.Directories:
                // Consumed a first character: continue in the loop state (state + 1); a '/'
                // completes one directory, so the rest (state + 2) may start.
                Set(next, state + 1);
                if (c == '/')
                {
                    Set(next, state + 2);
                }

                return true;
            default: // DirectoriesLoop
                Set(next, state);
                if (c == '/')
                {
                    Set(next, state + 1);
                }

                return true;
        }
    }

    /// <summary>Adds the states reachable without consuming a character.</summary>
    private void Close(Span<ulong> states)
    {
        // Empty transitions only go forward, so one ascending pass reaches the fixed point.
        for (var s = 0; s < _tokens.Length; s++)
        {
            if (!IsSet(states, s))
            {
                continue;
            }

            switch (_tokens[s].Kind)
            {
                case TokenKind.Star:
                case TokenKind.CrossStar:
                    Set(states, s + 1);
                    break;
                case TokenKind.Directories:
                    Set(states, s + 2);
                    break;
            }
        }
    }

    private static void Set(Span<ulong> states, int state) =>
        states[state >> 6] |= 1UL << (state & 63);

    private static bool IsSet(Span<ulong> states, int state) =>
        (states[state >> 6] & (1UL << (state & 63))) != 0;

    private readonly record struct Token(
        TokenKind Kind,
        char Char = '\0',
        BracketExpression? Bracket = null
    );
}
