namespace FileSync.Edge.Filtering;

/// <summary>What one <see cref="GlobToken"/> of a compiled gitignore glob matches.</summary>
internal enum GlobTokenKind : byte
{
    /// <summary>One byte equal to <see cref="GlobToken.Byte"/>.</summary>
    Literal,

    /// <summary><c>?</c>: one byte other than <c>/</c>.</summary>
    AnyByte,

    /// <summary><c>[...]</c>: one byte accepted by <see cref="GlobToken.Bracket"/>.</summary>
    Bracket,

    /// <summary><c>*</c>: zero or more bytes other than <c>/</c>.</summary>
    Star,

    /// <summary>A globstar that ends the pattern (or precedes <c>\/</c>): zero or more of any byte.</summary>
    CrossStar,

    /// <summary>
    /// A globstar followed by <c>/</c>: empty, or any bytes ending with <c>/</c>. It is always
    /// followed by a <see cref="DirectoriesLoop"/> token; both share the same rest.
    /// </summary>
    Directories,

    /// <summary>The inner state of <see cref="Directories"/>, once it has consumed a byte.</summary>
    DirectoriesLoop,
}
