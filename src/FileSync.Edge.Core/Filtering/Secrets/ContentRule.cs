namespace FileSync.Edge.Filtering.Secrets;

/// <summary>
/// A content rule: the <paramref name="Anchor"/> the scanner looks for, where it sits in the token
/// (<paramref name="AnchorOffset"/> bytes after the token's start), and the check that decides whether the
/// bytes around it are a real token of that format.
/// </summary>
internal sealed record ContentRule(
    SecretRule Rule,
    string Anchor,
    int AnchorOffset,
    ContentRule.Matcher IsMatch
)
{
    /// <summary>True when a token of the rule's format starts at <paramref name="start"/>.</summary>
    public delegate bool Matcher(ReadOnlySpan<byte> data, int start);
}
