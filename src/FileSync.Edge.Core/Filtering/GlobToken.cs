namespace FileSync.Edge.Filtering;

/// <summary>One element of a compiled <see cref="GlobPattern"/>, matched against UTF-8 bytes.</summary>
/// <param name="Kind">What the token matches.</param>
/// <param name="Byte">The byte of a <see cref="GlobTokenKind.Literal"/>.</param>
/// <param name="Bracket">The set of a <see cref="GlobTokenKind.Bracket"/>.</param>
internal readonly record struct GlobToken(
    GlobTokenKind Kind,
    byte Byte = 0,
    BracketExpression? Bracket = null
);
