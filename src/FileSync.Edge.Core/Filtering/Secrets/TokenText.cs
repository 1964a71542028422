namespace FileSync.Edge.Filtering.Secrets;

/// <summary>Byte classes and checks the content rules share (ASCII only: every token format is ASCII).</summary>
internal static class TokenText
{
    public static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';

    public static bool IsUpper(byte b) => b is >= (byte)'A' and <= (byte)'Z';

    public static bool IsLower(byte b) => b is >= (byte)'a' and <= (byte)'z';

    public static bool IsAlphanumeric(byte b) => IsDigit(b) || IsUpper(b) || IsLower(b);

    /// <summary>A regex word character: letters, digits and '_'.</summary>
    public static bool IsWord(byte b) => IsAlphanumeric(b) || b == '_';

    /// <summary>Letters, digits, '_' and '-': the alphabet of most API tokens (base64url).</summary>
    public static bool IsToken(byte b) => IsWord(b) || b == '-';

    public static bool IsBase64(byte b) =>
        IsAlphanumeric(b) || b is (byte)'+' or (byte)'/' or (byte)'=';

    /// <summary>How many bytes from <paramref name="start"/> satisfy <paramref name="accept"/> (at most <paramref name="max"/>).</summary>
    public static int Run(
        ReadOnlySpan<byte> data,
        int start,
        Func<byte, bool> accept,
        int max = 1024
    )
    {
        var end = start;
        while (end < data.Length && end - start < max && accept(data[end]))
        {
            end++;
        }
        return end - start;
    }

    /// <summary>True when nothing of <paramref name="accept"/>'s class stands right before <paramref name="start"/>.</summary>
    public static bool StartsClean(ReadOnlySpan<byte> data, int start, Func<byte, bool> accept) =>
        start == 0 || !accept(data[start - 1]);

    /// <summary>True when nothing of <paramref name="accept"/>'s class follows at <paramref name="end"/>.</summary>
    public static bool EndsClean(ReadOnlySpan<byte> data, int end, Func<byte, bool> accept) =>
        end >= data.Length || !accept(data[end]);

    /// <summary>
    /// True for a documentation placeholder rather than a real token: the vendors' fake keys contain
    /// <c>EXAMPLE</c> (AWS's <c>AKIAIOSFODNN7EXAMPLE</c>), or a run of one character (<c>xxxx</c>,
    /// <c>000000</c>, <c>****</c>), or a run counting up or down (<c>abcdefgh</c>, <c>123456</c>). A random
    /// token has such a run with a probability of about one in a million, which the guard accepts.
    /// </summary>
    public static bool LooksLikePlaceholder(ReadOnlySpan<byte> token)
    {
        if (
            token.IndexOf("EXAMPLE"u8) >= 0
            || token.IndexOf("example"u8) >= 0
            || token.IndexOf("Example"u8) >= 0
        )
        {
            return true;
        }
        int same = 1,
            up = 1,
            down = 1;
        for (var i = 1; i < token.Length; i++)
        {
            var b = token[i];
            var before = token[i - 1];
            same = b == before ? same + 1 : 1;
            up = b == before + 1 ? up + 1 : 1;
            down = b == before - 1 ? down + 1 : 1;
            var filler = b is (byte)'x' or (byte)'X' or (byte)'*' or (byte)'.' or (byte)'#';
            if ((filler && same >= 4) || same >= 6 || up >= 6 || down >= 6)
            {
                return true;
            }
        }
        return false;
    }
}
