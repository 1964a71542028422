namespace FileSync.Edge.Filtering;

/// <summary>
/// Comparisons of UTF-8 byte strings that fold ASCII letters only, the way git compares paths
/// and patterns with <c>core.ignorecase=true</c>: its wildmatch lower-cases ASCII letters, and
/// its literal prefix and suffix comparisons (<c>strncasecmp</c> in a C or UTF-8 locale) leave
/// every byte above 0x7F as it is. So <c>É</c> and <c>é</c> differ, as do <c>ı</c> and <c>I</c>.
/// </summary>
internal static class AsciiCase
{
    /// <summary>The lower-case form of an ASCII upper-case letter; any other byte unchanged.</summary>
    public static byte ToLower(byte value) => IsUpper(value) ? (byte)(value | 0x20) : value;

    /// <summary>The upper-case form of an ASCII lower-case letter; any other byte unchanged.</summary>
    public static byte ToUpper(byte value) => IsLower(value) ? (byte)(value & ~0x20) : value;

    public static bool IsUpper(byte value) => (uint)(value - 'A') <= 'Z' - 'A';

    public static bool IsLower(byte value) => (uint)(value - 'a') <= 'z' - 'a';

    /// <summary>True when both strings have the same bytes, ASCII letters folded if asked.</summary>
    public static bool AreEqual(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right, bool ignoreCase)
    {
        if (left.Length != right.Length)
        {
            return false;
        }

        if (!ignoreCase)
        {
            return left.SequenceEqual(right);
        }

        for (var i = 0; i < left.Length; i++)
        {
            if (left[i] != right[i] && ToLower(left[i]) != ToLower(right[i]))
            {
                return false;
            }
        }

        return true;
    }

    public static bool StartsWith(
        ReadOnlySpan<byte> text,
        ReadOnlySpan<byte> prefix,
        bool ignoreCase
    ) => text.Length >= prefix.Length && AreEqual(text[..prefix.Length], prefix, ignoreCase);

    public static bool EndsWith(
        ReadOnlySpan<byte> text,
        ReadOnlySpan<byte> suffix,
        bool ignoreCase
    ) => text.Length >= suffix.Length && AreEqual(text[^suffix.Length..], suffix, ignoreCase);

    /// <summary>True when <paramref name="value"/> occurs in <paramref name="text"/>.</summary>
    public static bool Contains(ReadOnlySpan<byte> text, ReadOnlySpan<byte> value, bool ignoreCase)
    {
        if (!ignoreCase || value.IsEmpty)
        {
            return text.IndexOf(value) >= 0;
        }

        var lower = ToLower(value[0]);
        var upper = ToUpper(lower);
        var rest = value[1..];
        var offset = 0;
        while (text.Length - offset >= value.Length)
        {
            var found = text[offset..(text.Length - rest.Length)].IndexOfAny(lower, upper);
            if (found < 0)
            {
                return false;
            }

            offset += found + 1;
            if (AreEqual(text.Slice(offset, rest.Length), rest, ignoreCase: true))
            {
                return true;
            }
        }

        return false;
    }
}
