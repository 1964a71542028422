namespace FileSync.Edge.Filtering;

/// <summary>
/// A compiled <c>[...]</c> bracket expression of a gitignore pattern: single characters,
/// ranges (<c>a-z</c>), POSIX classes (<c>[:digit:]</c>) and negation (<c>[!...]</c> or
/// <c>[^...]</c>). It matches exactly one character and never matches <c>/</c>.
/// </summary>
/// <remarks>
/// Parsing rules (from fnmatch(3) and checked against <c>git check-ignore</c>):
/// a <c>]</c> right after the opening bracket (or after the negation mark) is a literal;
/// a backslash escapes the next character; <c>-</c> at either end is a literal; a range whose
/// low end is above its high end matches only its low end; <c>[:name:]</c> is a class only when
/// the first <c>]</c> after <c>[:</c> is preceded by <c>:</c>, otherwise the <c>[</c> is a
/// literal; an unknown class name or a missing closing bracket makes the whole pattern invalid
/// (it never matches).
/// </remarks>
internal sealed class BracketExpression
{
    private readonly bool _negated;
    private readonly string _singles;
    private readonly string _ranges;
    private readonly PosixClasses _classes;

    private BracketExpression(bool negated, string singles, string ranges, PosixClasses classes)
    {
        _negated = negated;
        _singles = singles;
        _ranges = ranges;
        _classes = classes;
    }

    [Flags]
    private enum PosixClasses
    {
        None = 0,
        Alnum = 1 << 0,
        Alpha = 1 << 1,
        Blank = 1 << 2,
        Cntrl = 1 << 3,
        Digit = 1 << 4,
        Graph = 1 << 5,
        Lower = 1 << 6,
        Print = 1 << 7,
        Punct = 1 << 8,
        Space = 1 << 9,
        Upper = 1 << 10,
        Xdigit = 1 << 11,
    }

    /// <summary>
    /// Parses the bracket expression whose <c>[</c> is at <paramref name="start"/>.
    /// Returns false when it is malformed (unclosed, dangling backslash, unknown class).
    /// On success <paramref name="next"/> is the index just after the closing <c>]</c>.
    /// </summary>
    public static bool TryParse(
        ReadOnlySpan<char> pattern,
        int start,
        out BracketExpression? expression,
        out int next
    )
    {
        expression = null;
        next = start;
        var i = start + 1;
        var negated = false;
        if (i < pattern.Length && pattern[i] is '!' or '^')
        {
            negated = true;
            i++;
        }

        var singles = new System.Text.StringBuilder();
        var ranges = new System.Text.StringBuilder();
        var classes = PosixClasses.None;
        var first = true;
        while (true)
        {
            if (i >= pattern.Length)
            {
                return false;
            }

            var c = pattern[i];
            if (c == ']' && !first)
            {
                i++;
                break;
            }

            first = false;
            if (c == '[' && i + 1 < pattern.Length && pattern[i + 1] == ':')
            {
                var close = pattern[(i + 2)..].IndexOf(']');
                if (close < 0)
                {
                    return false;
                }

                var end = i + 2 + close;
                if (end - 1 >= i + 2 && pattern[end - 1] == ':')
                {
                    var cls = ParseClassName(pattern[(i + 2)..(end - 1)]);
                    if (cls == PosixClasses.None)
                    {
                        return false;
                    }

                    classes |= cls;
                    i = end + 1;
                    continue;
                }

                // Not a "[:name:]" class: the '[' is an ordinary member.
            }

            char low;
            if (c == '\\')
            {
                if (i + 1 >= pattern.Length)
                {
                    return false;
                }

                low = pattern[i + 1];
                i += 2;
            }
            else
            {
                low = c;
                i++;
            }

            singles.Append(low);
            if (i + 1 < pattern.Length && pattern[i] == '-' && pattern[i + 1] != ']')
            {
                char high;
                if (pattern[i + 1] == '\\')
                {
                    if (i + 2 >= pattern.Length)
                    {
                        return false;
                    }

                    high = pattern[i + 2];
                    i += 3;
                }
                else
                {
                    high = pattern[i + 1];
                    i += 2;
                }

                if (low <= high)
                {
                    ranges.Append(low).Append(high);
                }
            }
        }

        expression = new BracketExpression(negated, singles.ToString(), ranges.ToString(), classes);
        next = i;
        return true;
    }

    /// <summary>True when <paramref name="c"/> is matched (never for <c>/</c>).</summary>
    /// <remarks>
    /// Case-insensitive matching mirrors git with <c>core.ignorecase=true</c>: the character is
    /// lower-cased and compared with the members as written, so an upper-case single member
    /// (<c>[A]</c>) matches nothing, while ranges are also tried with the upper-case form and
    /// <c>[:upper:]</c> accepts lower-case letters.
    /// </remarks>
    public bool Matches(char c, bool ignoreCase)
    {
        if (c == '/')
        {
            return false;
        }

        return (ignoreCase ? ContainsFolded(c) : Contains(c)) != _negated;
    }

    private bool Contains(char c)
    {
        if (_singles.Contains(c))
        {
            return true;
        }

        for (var i = 0; i < _ranges.Length; i += 2)
        {
            if (c >= _ranges[i] && c <= _ranges[i + 1])
            {
                return true;
            }
        }

        return _classes != PosixClasses.None && InClasses(c, _classes);
    }

    private bool ContainsFolded(char c)
    {
        var lower = char.ToLowerInvariant(c);
        if (_singles.Contains(lower))
        {
            return true;
        }

        var upper = char.ToUpperInvariant(lower);
        for (var i = 0; i < _ranges.Length; i += 2)
        {
            if (
                (lower >= _ranges[i] && lower <= _ranges[i + 1])
                || (upper >= _ranges[i] && upper <= _ranges[i + 1])
            )
            {
                return true;
            }
        }

        return _classes != PosixClasses.None
            && (
                InClasses(lower, _classes)
                || (_classes.HasFlag(PosixClasses.Upper) && char.IsAsciiLetterLower(lower))
            );
    }

    // POSIX classes use ASCII semantics, as git's wildmatch does.
    private static bool InClasses(char c, PosixClasses classes) =>
        (classes.HasFlag(PosixClasses.Alnum) && char.IsAsciiLetterOrDigit(c))
        || (classes.HasFlag(PosixClasses.Alpha) && char.IsAsciiLetter(c))
        || (classes.HasFlag(PosixClasses.Blank) && c is ' ' or '\t')
        || (classes.HasFlag(PosixClasses.Cntrl) && (c < ' ' || c == '\x7f'))
        || (classes.HasFlag(PosixClasses.Digit) && char.IsAsciiDigit(c))
        || (classes.HasFlag(PosixClasses.Graph) && c > ' ' && c < '\x7f')
        || (classes.HasFlag(PosixClasses.Lower) && char.IsAsciiLetterLower(c))
        || (classes.HasFlag(PosixClasses.Print) && c >= ' ' && c < '\x7f')
        || (
            classes.HasFlag(PosixClasses.Punct)
            && c > ' '
            && c < '\x7f'
            && !char.IsAsciiLetterOrDigit(c)
        )
        || (classes.HasFlag(PosixClasses.Space) && c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r')
        || (classes.HasFlag(PosixClasses.Upper) && char.IsAsciiLetterUpper(c))
        || (classes.HasFlag(PosixClasses.Xdigit) && char.IsAsciiHexDigit(c));

    private static PosixClasses ParseClassName(ReadOnlySpan<char> name) =>
        name switch
        {
            "alnum" => PosixClasses.Alnum,
            "alpha" => PosixClasses.Alpha,
            "blank" => PosixClasses.Blank,
            "cntrl" => PosixClasses.Cntrl,
            "digit" => PosixClasses.Digit,
            "graph" => PosixClasses.Graph,
            "lower" => PosixClasses.Lower,
            "print" => PosixClasses.Print,
            "punct" => PosixClasses.Punct,
            "space" => PosixClasses.Space,
            "upper" => PosixClasses.Upper,
            "xdigit" => PosixClasses.Xdigit,
            _ => PosixClasses.None,
        };
}
