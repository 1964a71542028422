using System.Numerics;

namespace FileSync.Edge.Filtering;

/// <summary>
/// Runs the tokens of a <see cref="GlobPattern"/> as a small NFA over the bytes of a UTF-8
/// text: no backtracking, so time is linear in the text length times the token count whatever
/// the pattern.
/// </summary>
internal static class GlobAutomaton
{
    /// <summary>True when the whole of <paramref name="text"/> is accepted by <paramref name="tokens"/>.</summary>
    public static bool Run(ReadOnlySpan<GlobToken> tokens, ReadOnlySpan<byte> text, bool ignoreCase)
    {
        // State s means "the next token to match is tokens[s]"; state tokens.Length accepts.
        var stateCount = tokens.Length + 1;
        var words = (stateCount + 63) / 64;
        Span<ulong> buffer = words <= 8 ? stackalloc ulong[16] : new ulong[words * 2];
        var current = buffer[..words];
        var next = buffer.Slice(words, words);
        current.Clear();
        Set(current, 0);
        Close(tokens, current);

        foreach (var b in text)
        {
            next.Clear();
            var any = false;
            for (var w = 0; w < words; w++)
            {
                var bits = current[w];
                while (bits != 0)
                {
                    var state = (w * 64) + BitOperations.TrailingZeroCount(bits);
                    bits &= bits - 1;
                    if (state < tokens.Length)
                    {
                        any |= Step(tokens[state], state, b, ignoreCase, next);
                    }
                }
            }

            if (!any)
            {
                return false;
            }

            Close(tokens, next);
            var swap = current;
            current = next;
            next = swap;
        }

        return IsSet(current, tokens.Length);
    }

    private static bool Step(GlobToken token, int state, byte b, bool ignoreCase, Span<ulong> next)
    {
        switch (token.Kind)
        {
            case GlobTokenKind.Literal:
                if (
                    b == token.Byte
                    || (ignoreCase && AsciiCase.ToLower(b) == AsciiCase.ToLower(token.Byte))
                )
                {
                    Set(next, state + 1);
                    return true;
                }

                return false;
            case GlobTokenKind.AnyByte:
                if (b != '/')
                {
                    Set(next, state + 1);
                    return true;
                }

                return false;
            case GlobTokenKind.Bracket:
                if (token.Bracket!.Matches(b, ignoreCase))
                {
                    Set(next, state + 1);
                    return true;
                }

                return false;
            case GlobTokenKind.Star:
                if (b != '/')
                {
                    Set(next, state);
                    return true;
                }

                return false;
            case GlobTokenKind.CrossStar:
                Set(next, state);
                return true;
            case GlobTokenKind.Directories:
                // Consumed a first byte: continue in the loop state (state + 1); a '/'
                // completes one directory, so the rest (state + 2) may start.
                Set(next, state + 1);
                if (b == '/')
                {
                    Set(next, state + 2);
                }

                return true;
            default: // DirectoriesLoop
                Set(next, state);
                if (b == '/')
                {
                    Set(next, state + 1);
                }

                return true;
        }
    }

    /// <summary>Adds the states reachable without consuming a byte.</summary>
    private static void Close(ReadOnlySpan<GlobToken> tokens, Span<ulong> states)
    {
        // Empty transitions only go forward, so one ascending pass reaches the fixed point.
        for (var s = 0; s < tokens.Length; s++)
        {
            if (!IsSet(states, s))
            {
                continue;
            }

            switch (tokens[s].Kind)
            {
                case GlobTokenKind.Star:
                case GlobTokenKind.CrossStar:
                    Set(states, s + 1);
                    break;
                case GlobTokenKind.Directories:
                    Set(states, s + 2);
                    break;
            }
        }
    }

    private static void Set(Span<ulong> states, int state) =>
        states[state >> 6] |= 1UL << (state & 63);

    private static bool IsSet(Span<ulong> states, int state) =>
        (states[state >> 6] & (1UL << (state & 63))) != 0;
}
