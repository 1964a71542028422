using FileSync.Edge.Filtering.Sources;
using FileSync.Edge.Workspace;

namespace FileSync.Edge.Filtering;

/// <summary>
/// Decides which paths of one workspace are excluded from sync, with the semantics of
/// <c>git check-ignore</c> for <c>.gitignore</c> files, plus <c>.aishignore</c> files (same
/// syntax), <c>.git/info/exclude</c> and the built-in excludes (<see cref="BuiltInIgnoreSource"/>).
/// </summary>
/// <remarks>
/// <para>
/// The rules come from the sources of <see cref="IgnoreSources.Default"/>, ordered by their declared
/// precedence: for each directory from the root down to the path's parent, that directory's rules
/// (lowest first: built-in excludes and <c>.git/info/exclude</c> at the root only, then
/// <c>.gitignore</c>, then <c>.aishignore</c>); the last matching pattern wins. A path inside an
/// excluded directory is excluded whatever the patterns say about it (a <c>!</c> pattern cannot
/// re-include it), and a directory named <c>.git</c> or a file named <c>.git</c> is always excluded.
/// </para>
/// <para>
/// Like git, patterns match the UTF-8 bytes of a path, not its characters (<c>?</c> is one byte,
/// so <c>caf?.txt</c> does not exclude <c>café.txt</c>), ignore files are read as bytes without
/// decoding, and case-insensitive matching folds ASCII letters only.
/// </para>
/// <para>
/// Rules read and directory verdicts are cached until <see cref="Invalidate"/>. Instances are safe
/// for concurrent readers; <see cref="Invalidate"/> may run concurrently with them (a racing reader
/// may still answer from the old rules).
/// </para>
/// <para>
/// Ignore files that are missing, unreadable or symbolic links (git does not follow them) count
/// as empty. Patterns that can never match (unclosed <c>[</c>, …) are dropped. Nothing throws.
/// </para>
/// </remarks>
public sealed class WorkspaceIgnoreFilter
{
    private readonly IgnoreSources _sources;
    private readonly IgnoreMatcher _matcher;
    private readonly IgnoreRuleCache _cache;

    /// <param name="rootPath">The workspace root directory.</param>
    /// <param name="ignoreCase">
    /// Whether patterns match case-insensitively; defaults to true on Windows and macOS (whose
    /// file systems usually are), false elsewhere — git's <c>core.ignorecase</c>.
    /// </param>
    public WorkspaceIgnoreFilter(string rootPath, bool? ignoreCase = null)
        : this(rootPath, IgnoreSources.Default, ignoreCase) { }

    /// <param name="rootPath">The workspace root directory.</param>
    /// <param name="sources">Where the rules come from.</param>
    /// <param name="ignoreCase">As in the public constructor.</param>
    internal WorkspaceIgnoreFilter(string rootPath, IgnoreSources sources, bool? ignoreCase = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(rootPath);
        ArgumentNullException.ThrowIfNull(sources);
        RootPath = Path.GetFullPath(rootPath);
        _sources = sources;
        _matcher = new IgnoreMatcher(ignoreCase ?? PathComparer.IgnoreCase);
        _cache = new IgnoreRuleCache(RootPath, sources, _matcher);
    }

    /// <summary>The full path of the workspace root.</summary>
    public string RootPath { get; }

    /// <summary>Whether patterns match case-insensitively.</summary>
    public bool IgnoreCase => _matcher.IgnoreCase;

    /// <summary>
    /// True when <paramref name="relativePath"/> is excluded, either itself or because one of its
    /// ancestor directories is.
    /// </summary>
    /// <param name="relativePath">'/'-separated path relative to the root, without a leading '/'.</param>
    /// <param name="isDirectory">Whether the path is a directory (patterns ending in '/' only match directories).</param>
    public bool IsIgnored(string relativePath, bool isDirectory) =>
        Judge(relativePath, isDirectory, ancestorsKnownIncluded: false);

    /// <summary>
    /// Like <see cref="IsIgnored"/>, but assumes every ancestor directory of
    /// <paramref name="relativePath"/> is already known not to be ignored (as in a recursive walk
    /// that does not descend into ignored directories), so only the entry itself is judged.
    /// </summary>
    public bool IsIgnoredEntry(string relativePath, bool isDirectory) =>
        Judge(relativePath, isDirectory, ancestorsKnownIncluded: true);

    /// <summary>
    /// True when a change at <paramref name="relativePath"/> changed the rules: an ignore file
    /// (<c>.gitignore</c>, <c>.aishignore</c>, <c>.git/info/exclude</c>) was created, changed or
    /// deleted, or a directory on the way to one (<c>.git</c>, <c>.git/info</c>) changed and the
    /// root's rules read now differ from those in use. The owner then calls
    /// <see cref="Invalidate"/> and judges the workspace anew. May read the root's ignore files:
    /// call it off the watcher's thread.
    /// </summary>
    public bool ChangesRules(string relativePath)
    {
        ArgumentNullException.ThrowIfNull(relativePath);
        return _sources.ChangesRules(relativePath)
            || (_sources.IsWatchedIgnoredDirectory(relativePath) && _cache.RootRulesChanged());
    }

    /// <summary>
    /// True when a watcher event at <paramref name="relativePath"/> must reach
    /// <see cref="ChangesRules"/> although the path is excluded: an ignore file or a directory on
    /// the way to one (<c>.git/info/exclude</c>, <c>.git/info</c>, <c>.git</c>). From the path alone.
    /// </summary>
    public bool IsRulePath(string relativePath)
    {
        ArgumentNullException.ThrowIfNull(relativePath);
        return _sources.IsRulePath(relativePath);
    }

    /// <summary>
    /// True when a directory needs no watch: it is excluded and no ignore file lies in or under it
    /// (<c>.git</c> and <c>.git/info</c> stay watched for <c>.git/info/exclude</c>).
    /// </summary>
    public bool IsUnwatchedDirectory(string relativeDirectory) =>
        !_sources.IsWatchedIgnoredDirectory(relativeDirectory)
        && IsIgnored(relativeDirectory, isDirectory: true);

    /// <summary>
    /// Forgets all cached rules and verdicts. Call it when <see cref="ChangesRules"/> says a change
    /// did, when a directory is renamed, moved in or deleted (its ignore files move with it without
    /// an event of their own) and before a full rescan.
    /// </summary>
    public void Invalidate() => _cache.Invalidate();

    private bool Judge(string relativePath, bool isDirectory, bool ancestorsKnownIncluded)
    {
        ArgumentNullException.ThrowIfNull(relativePath);
        var path = relativePath.AsSpan().Trim('/');
        if (path.IsEmpty)
        {
            return false;
        }

        var parent = _cache.RulesOf(IgnoreRuleCache.ParentOf(path));
        return (!ancestorsKnownIncluded && parent.IsExcluded)
            || _matcher.IsExcluded(parent.Chain, path, isDirectory);
    }
}
