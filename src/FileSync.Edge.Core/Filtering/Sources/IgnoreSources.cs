namespace FileSync.Edge.Filtering.Sources;

/// <summary>
/// The ignore sources of a workspace, ordered by their declared <see cref="IIgnoreSource.Precedence"/>
/// (never by the order they are listed in).
/// </summary>
internal sealed class IgnoreSources
{
    /// <summary>
    /// Every source a workspace uses. To add an ignore-file source, write its class and add one
    /// line here.
    /// </summary>
    public static IgnoreSources Default { get; } =
        new([
            new BuiltInIgnoreSource(),
            new GitInfoExcludeSource(),
            new GitIgnoreFileSource(),
            new AishIgnoreFileSource(),
        ]);

    private readonly IIgnoreSource[] _lowestFirst;
    private readonly string[] _watchedIgnoredDirectories;

    /// <exception cref="ArgumentException">Two sources declare the same precedence.</exception>
    public IgnoreSources(IEnumerable<IIgnoreSource> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        _lowestFirst = [.. sources.OrderBy(s => s.Precedence)];
        for (var i = 1; i < _lowestFirst.Length; i++)
        {
            if (_lowestFirst[i].Precedence == _lowestFirst[i - 1].Precedence)
            {
                throw new ArgumentException(
                    $"{_lowestFirst[i - 1].GetType().Name} and {_lowestFirst[i].GetType().Name} both declare precedence {_lowestFirst[i].Precedence}",
                    nameof(sources)
                );
            }
        }
        _watchedIgnoredDirectories =
        [
            .. _lowestFirst
                .SelectMany(s => s.WatchedIgnoredDirectories)
                .Distinct(StringComparer.Ordinal),
        ];
    }

    /// <summary>The sources, lowest precedence first.</summary>
    public IReadOnlyList<IIgnoreSource> LowestFirst => _lowestFirst;

    /// <summary>
    /// The rules that apply from <paramref name="directory"/>: every source's patterns there,
    /// lowest precedence first; null when no source has any.
    /// </summary>
    public IgnoreRuleSet? ReadRules(IgnoreDirectory directory)
    {
        IgnorePattern[]? only = null;
        List<IgnorePattern>? merged = null;
        foreach (var source in _lowestFirst)
        {
            var patterns = source.ReadPatterns(directory);
            if (patterns.Length == 0)
            {
                continue;
            }
            if (only is null)
            {
                only = patterns;
                continue;
            }
            merged ??= [.. only];
            merged.AddRange(patterns);
        }
        var all = merged is null ? only : [.. merged];
        return all is null ? null : new IgnoreRuleSet(directory.RelativePath, all);
    }

    /// <summary>True when a change at <paramref name="relativePath"/> may change the rules of a source.</summary>
    public bool ChangesRules(string relativePath)
    {
        foreach (var source in _lowestFirst)
        {
            if (source.ChangesRules(relativePath))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// True for a rule file or a directory on the way to one (<see cref="IsWatchedIgnoredDirectory"/>):
    /// a change there may change the rules. From the path alone.
    /// </summary>
    public bool IsRulePath(string relativePath) =>
        ChangesRules(relativePath) || IsWatchedIgnoredDirectory(relativePath);

    /// <summary>True for an excluded directory that must still be watched: a source's rule file is in or under it.</summary>
    public bool IsWatchedIgnoredDirectory(string relativeDirectory) =>
        Array.IndexOf(_watchedIgnoredDirectories, relativeDirectory) >= 0;
}
