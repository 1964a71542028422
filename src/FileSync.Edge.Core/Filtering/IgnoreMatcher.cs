using System.Numerics;
using System.Text;

namespace FileSync.Edge.Filtering;

/// <summary>
/// Judges one path against a directory's chain of rule sets, as git does: on the UTF-8 bytes of
/// the path, the deepest directory's rules first, the last matching pattern of a set winning; an
/// entry named <c>.git</c> is always excluded. Allocation-free once warm.
/// </summary>
internal sealed class IgnoreMatcher(bool ignoreCase)
{
    // Paths up to this many UTF-8 bytes (at most) are encoded on the stack; longer ones in a
    // buffer kept per thread (not ArrayPool.Shared: it drops its arrays under memory pressure,
    // and a warm filter should not allocate), up to the largest size kept.
    private const int StackPathBytes = 1024;
    private const int LargestKeptPathBytes = 64 * 1024;

    [ThreadStatic]
    private static byte[]? _longPathBytes;

    /// <summary>Whether patterns match case-insensitively (ASCII letters only, as git does).</summary>
    public bool IgnoreCase => ignoreCase;

    /// <summary>
    /// True when the rules of <paramref name="chain"/> (lowest precedence first) exclude
    /// <paramref name="path"/> ('/'-separated, relative to the root) itself; its ancestors are not
    /// looked at.
    /// </summary>
    public bool IsExcluded(IgnoreRuleSet[] chain, ReadOnlySpan<char> path, bool isDirectory)
    {
        // Patterns match bytes, as in git: judge the UTF-8 form of the path. (A lone surrogate,
        // which no UTF-8 file name decodes to, becomes U+FFFD.)
        var maxLength = Encoding.UTF8.GetMaxByteCount(path.Length);
        var buffer =
            maxLength <= StackPathBytes
                ? stackalloc byte[StackPathBytes]
                : LongPathBuffer(maxLength);
        var length = Encoding.UTF8.GetBytes(path, buffer);
        return IsExcluded(chain, buffer[..length], isDirectory);
    }

    private bool IsExcluded(IgnoreRuleSet[] chain, ReadOnlySpan<byte> path, bool isDirectory)
    {
        var slash = path.LastIndexOf((byte)'/');
        var name = slash < 0 ? path : path[(slash + 1)..];
        if (AsciiCase.AreEqual(name, ".git"u8, ignoreCase))
        {
            return true;
        }

        for (var i = chain.Length - 1; i >= 0; i--)
        {
            var rules = chain[i];
            var baseLength = rules.BaseDirectoryUtf8Length;
            var relative = baseLength == 0 ? path : path[(baseLength + 1)..];
            if (rules.Match(relative, name, isDirectory, ignoreCase) is { } verdict)
            {
                return verdict;
            }
        }

        return false;
    }

    private static Span<byte> LongPathBuffer(int length)
    {
        if (_longPathBytes is { } kept && kept.Length >= length)
        {
            return kept;
        }

        if (length > LargestKeptPathBytes)
        {
            return new byte[length];
        }

        var buffer = new byte[BitOperations.RoundUpToPowerOf2((uint)length)];
        _longPathBytes = buffer;
        return buffer;
    }
}
