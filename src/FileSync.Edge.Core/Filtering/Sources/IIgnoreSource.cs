namespace FileSync.Edge.Filtering.Sources;

/// <summary>
/// One place ignore rules come from (the built-in excludes, <c>.git/info/exclude</c>, the
/// <c>.gitignore</c> or <c>.aishignore</c> files of each directory): where its rules live, when
/// they change, and their patterns. Implementations are registered in
/// <see cref="IgnoreSources.Default"/>.
/// </summary>
/// <remarks>
/// The rules that apply to an entry are those of every directory from the root down to the
/// entry's parent; a deeper directory's rules always win over a shallower one's, as in git. Among
/// the rules of one directory, <see cref="Precedence"/> decides: the sources' patterns are
/// concatenated lowest precedence first, and the last matching pattern wins. Implementations are
/// stateless (the filter caches what they read) and never throw: a rule file that cannot be read
/// counts as empty.
/// </remarks>
internal interface IIgnoreSource
{
    /// <summary>
    /// Where this source stands among the others within one directory: a higher value overrides a
    /// lower one. Unique among the registered sources.
    /// </summary>
    int Precedence { get; }

    /// <summary>
    /// The patterns this source has for the entries under <paramref name="directory"/> (relative to
    /// it), in file order; empty when it has none there.
    /// </summary>
    IgnorePattern[] ReadPatterns(IgnoreDirectory directory);

    /// <summary>
    /// True when a change at <paramref name="relativePath"/> ('/'-separated, relative to the root)
    /// may change this source's patterns: it is one of its rule files. Answered from the path alone
    /// (no I/O); a needless true only costs a rescan.
    /// </summary>
    bool ChangesRules(string relativePath);

    /// <summary>
    /// Directories (relative to the root) that the patterns exclude but that must still be watched,
    /// because a rule file of this source lives in or under them. Only root-based sources have
    /// such directories: when one of them changes, the filter compares the root's rules.
    /// </summary>
    IReadOnlyList<string> WatchedIgnoredDirectories => [];
}
