namespace FileSync.Edge.Filtering;

/// <summary>
/// A compiled <c>[...]</c> bracket expression of a gitignore pattern: single bytes, ranges
/// (<c>a-z</c>), POSIX classes (<c>[:digit:]</c>) and negation (<c>[!...]</c> or
/// <c>[^...]</c>). Like git's wildmatch it matches exactly one byte of the UTF-8 text, and never
/// <c>/</c>.
/// </summary>
/// <remarks>
/// <para>
/// Parsing rules (from git's wildmatch, checked against <c>git check-ignore</c>):
/// a <c>]</c> right after the opening bracket (or after the negation mark) is a literal;
/// a backslash escapes the next byte; <c>-</c> at either end, or right after a range or a class,
/// is a literal; a range whose low end is above its high end matches only its low end;
/// <c>[:name:]</c> is a class only when the first <c>]</c> after <c>[:</c> is preceded by
/// <c>:</c>, otherwise the <c>[</c> is a literal; an unknown class name or a missing closing
/// bracket makes the whole pattern invalid (it never matches).
/// </para>
/// <para>
/// Everything is per byte: a non-ASCII character inside the brackets contributes each of its
/// UTF-8 bytes as a member (<c>[é]</c> is the set {0xC3, 0xA9}, so it matches neither
/// <c>é</c> as a whole nor any ASCII character), range ends are bytes compared by value
/// (<c>[a-é]</c> is 0x61–0xC3 plus 0xA9), and classes are ASCII-only (no byte above 0x7F is
/// <c>[:alpha:]</c>, <c>[:print:]</c>, …). <c>[:space:]</c> is git's: space, tab, newline and
/// carriage return, but not vertical tab or form feed.
/// </para>
/// <para>The set is computed for all 256 byte values at parse time, so a match is one lookup.</para>
/// </remarks>
internal sealed class BracketExpression
{
    // Bit b of words 0-3: byte b matches case-sensitively; of words 4-7: with ASCII case folding.
    private readonly ulong[] _members;

    private BracketExpression(ulong[] members)
    {
        _members = members;
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
    /// Parses the bracket expression whose <c>[</c> is at <paramref name="start"/> of the UTF-8
    /// <paramref name="pattern"/>. Returns false when it is malformed (unclosed, dangling
    /// backslash, unknown class). On success <paramref name="next"/> is the index just after
    /// the closing <c>]</c>.
    /// </summary>
    public static bool TryParse(
        ReadOnlySpan<byte> pattern,
        int start,
        out BracketExpression? expression,
        out int next
    )
    {
        expression = null;
        next = start;
        var i = start + 1;
        var negated = false;
        if (i < pattern.Length && pattern[i] is (byte)'!' or (byte)'^')
        {
            negated = true;
            i++;
        }

        Span<ulong> singles = stackalloc ulong[4];
        Span<ulong> ranges = stackalloc ulong[4];
        singles.Clear();
        ranges.Clear();
        var classes = PosixClasses.None;

        // git's "prev_ch": the last single member, which a following "-x" turns into a range.
        int? previous = null;
        var first = true;
        while (true)
        {
            if (i >= pattern.Length)
            {
                return false;
            }

            var b = pattern[i];
            if (b == ']' && !first)
            {
                i++;
                break;
            }

            first = false;
            if (b == '\\')
            {
                if (i + 1 >= pattern.Length)
                {
                    return false;
                }

                b = pattern[i + 1];
                Add(singles, b);
                previous = b;
                i += 2;
            }
            else if (
                b == '-'
                && previous is { } low
                && i + 1 < pattern.Length
                && pattern[i + 1] != ']'
            )
            {
                int high = pattern[i + 1];
                i += 2;
                if (high == '\\')
                {
                    if (i >= pattern.Length)
                    {
                        return false;
                    }

                    high = pattern[i];
                    i++;
                }

                for (var value = low; value <= high; value++)
                {
                    Add(ranges, value);
                }

                previous = null;
            }
            else if (b == '[' && i + 1 < pattern.Length && pattern[i + 1] == ':')
            {
                var close = pattern[(i + 2)..].IndexOf((byte)']');
                if (close < 0)
                {
                    return false;
                }

                var end = i + 2 + close;
                if (close >= 1 && pattern[end - 1] == ':')
                {
                    var cls = ParseClassName(pattern[(i + 2)..(end - 1)]);
                    if (cls == PosixClasses.None)
                    {
                        return false;
                    }

                    classes |= cls;
                    previous = null;
                    i = end + 1;
                }
                else
                {
                    // Not a "[:name:]" class: the '[' is an ordinary member.
                    Add(singles, b);
                    previous = b;
                    i++;
                }
            }
            else
            {
                Add(singles, b);
                previous = b;
                i++;
            }
        }

        expression = new BracketExpression(Build(negated, singles, ranges, classes));
        next = i;
        return true;
    }

    /// <summary>True when the byte <paramref name="value"/> is matched (never for <c>/</c>).</summary>
    /// <remarks>
    /// Case-insensitive matching mirrors git with <c>core.ignorecase=true</c>: an ASCII
    /// upper-case byte of the text is lower-cased and compared with the members as written, so
    /// an upper-case single member (<c>[A]</c>) matches nothing, while ranges are also tried
    /// with the upper-case form and <c>[:upper:]</c> accepts lower-case letters. Bytes above
    /// 0x7F are never folded.
    /// </remarks>
    public bool Matches(byte value, bool ignoreCase)
    {
        var index = ignoreCase ? value + 256 : value;
        return (_members[index >> 6] & (1UL << (index & 63))) != 0;
    }

    private static ulong[] Build(
        bool negated,
        ReadOnlySpan<ulong> singles,
        ReadOnlySpan<ulong> ranges,
        PosixClasses classes
    )
    {
        var members = new ulong[8];
        for (var value = 0; value < 256; value++)
        {
            if (value == '/')
            {
                continue;
            }

            var exact =
                Has(singles, value) || Has(ranges, value) || InClasses((byte)value, classes);
            var lower = AsciiCase.ToLower((byte)value);
            var folded =
                Has(singles, lower)
                || Has(ranges, lower)
                || (AsciiCase.IsLower(lower) && Has(ranges, AsciiCase.ToUpper(lower)))
                || InClasses(lower, classes)
                || (classes.HasFlag(PosixClasses.Upper) && AsciiCase.IsLower(lower));
            if (exact != negated)
            {
                Add(members, value);
            }

            if (folded != negated)
            {
                Add(members, value + 256);
            }
        }

        return members;
    }

    private static void Add(Span<ulong> set, int value) => set[value >> 6] |= 1UL << (value & 63);

    private static bool Has(ReadOnlySpan<ulong> set, int value) =>
        (set[value >> 6] & (1UL << (value & 63))) != 0;

    // ASCII semantics, as git's wildmatch (with git's own ctype table) has; no byte above 0x7F
    // belongs to any class.
    private static bool InClasses(byte b, PosixClasses classes)
    {
        if (classes == PosixClasses.None || b > 0x7F)
        {
            return false;
        }

        var c = (char)b;
        return (classes.HasFlag(PosixClasses.Alnum) && char.IsAsciiLetterOrDigit(c))
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
            || (classes.HasFlag(PosixClasses.Space) && c is ' ' or '\t' or '\n' or '\r')
            || (classes.HasFlag(PosixClasses.Upper) && char.IsAsciiLetterUpper(c))
            || (classes.HasFlag(PosixClasses.Xdigit) && char.IsAsciiHexDigit(c));
    }

    private static PosixClasses ParseClassName(ReadOnlySpan<byte> name) =>
        name switch
        {
            _ when name.SequenceEqual("alnum"u8) => PosixClasses.Alnum,
            _ when name.SequenceEqual("alpha"u8) => PosixClasses.Alpha,
            _ when name.SequenceEqual("blank"u8) => PosixClasses.Blank,
            _ when name.SequenceEqual("cntrl"u8) => PosixClasses.Cntrl,
            _ when name.SequenceEqual("digit"u8) => PosixClasses.Digit,
            _ when name.SequenceEqual("graph"u8) => PosixClasses.Graph,
            _ when name.SequenceEqual("lower"u8) => PosixClasses.Lower,
            _ when name.SequenceEqual("print"u8) => PosixClasses.Print,
            _ when name.SequenceEqual("punct"u8) => PosixClasses.Punct,
            _ when name.SequenceEqual("space"u8) => PosixClasses.Space,
            _ when name.SequenceEqual("upper"u8) => PosixClasses.Upper,
            _ when name.SequenceEqual("xdigit"u8) => PosixClasses.Xdigit,
            _ => PosixClasses.None,
        };
}
