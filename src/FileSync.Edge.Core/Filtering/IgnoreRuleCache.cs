using System.Collections.Concurrent;
using FileSync.Edge.Filtering.Sources;
using FileSync.Edge.Workspace;

namespace FileSync.Edge.Filtering;

/// <summary>
/// Finds and keeps the <see cref="DirectoryRules"/> of each directory of one workspace: read from
/// the sources once, then answered from memory until <see cref="Invalidate"/>.
/// </summary>
/// <remarks>
/// Safe for concurrent readers; <see cref="Invalidate"/> may run concurrently with them (a racing
/// reader may still answer from the old rules). Like git, the ignore files inside an excluded
/// directory are never read.
/// </remarks>
internal sealed class IgnoreRuleCache(string rootPath, IgnoreSources sources, IgnoreMatcher matcher)
{
    private Generation _generation = new();

    /// <summary>The rules of <paramref name="directory"/> ('/'-separated, relative to the root, "" for the root).</summary>
    public DirectoryRules RulesOf(ReadOnlySpan<char> directory)
    {
        var generation = Volatile.Read(ref _generation);
        return RulesOf(generation, directory);
    }

    /// <summary>The directory part of a relative path: "" for an entry of the root.</summary>
    public static ReadOnlySpan<char> ParentOf(ReadOnlySpan<char> path)
    {
        var slash = path.LastIndexOf('/');
        return slash < 0 ? [] : path[..slash];
    }

    /// <summary>
    /// True when the root's rules read now differ from those in use (or none are in use yet): a
    /// directory on the way to a root rule file (<c>.git</c>) appeared, vanished or was touched.
    /// Reads the root's ignore files; call it off the watcher's thread.
    /// </summary>
    public bool RootRulesChanged()
    {
        var generation = Volatile.Read(ref _generation);
        if (!generation.Rules.TryGetValue("", out var inUse))
        {
            return true;
        }
        var now = sources.ReadRules(new IgnoreDirectory(rootPath, "", rootPath));
        var used = inUse.Chain.Length > 0 ? inUse.Chain[0] : null;
        return now is null ? used is not null : !now.HasSamePatterns(used);
    }

    /// <summary>Forgets everything read: the next question reads the sources again.</summary>
    public void Invalidate() => Volatile.Write(ref _generation, new Generation());

    private DirectoryRules RulesOf(Generation generation, ReadOnlySpan<char> directory)
    {
        if (generation.Lookup.TryGetValue(directory, out var rules))
        {
            return rules;
        }

        var key = directory.ToString();
        rules = key.Length == 0 ? ReadRoot() : Read(generation, key);
        return generation.Rules.GetOrAdd(key, rules);
    }

    private DirectoryRules ReadRoot() =>
        new(
            sources.ReadRules(new IgnoreDirectory(rootPath, "", rootPath)) is { } own ? [own] : [],
            isExcluded: false
        );

    private DirectoryRules Read(Generation generation, string directory)
    {
        var parent = RulesOf(generation, ParentOf(directory));
        if (parent.IsExcluded || matcher.IsExcluded(parent.Chain, directory, isDirectory: true))
        {
            return new DirectoryRules(parent.Chain, isExcluded: true);
        }

        // The folder a wire path names (an NFD name on disk is found under its NFC spelling).
        var fullPath = DiskNames.Find(rootPath, directory);
        var own = sources.ReadRules(new IgnoreDirectory(rootPath, directory, fullPath));
        return new DirectoryRules(
            own is null ? parent.Chain : [.. parent.Chain, own],
            isExcluded: false
        );
    }

    /// <summary>One generation of read rules; <see cref="Invalidate"/> swaps in a new one.</summary>
    private sealed class Generation
    {
        public Generation()
        {
            Lookup = Rules.GetAlternateLookup<ReadOnlySpan<char>>();
        }

        public ConcurrentDictionary<string, DirectoryRules> Rules { get; } =
            new(StringComparer.Ordinal);

        public ConcurrentDictionary<string, DirectoryRules>.AlternateLookup<
            ReadOnlySpan<char>
        > Lookup { get; }
    }
}
