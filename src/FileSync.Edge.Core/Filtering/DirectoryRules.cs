namespace FileSync.Edge.Filtering;

/// <summary>What is known about one directory: the rules its entries are judged by, and whether it is excluded.</summary>
internal sealed class DirectoryRules(IgnoreRuleSet[] chain, bool isExcluded)
{
    /// <summary>
    /// The rule sets that apply to the directory's entries, one per directory from the root down
    /// that has rules, lowest precedence (the root's) first.
    /// </summary>
    public IgnoreRuleSet[] Chain { get; } = chain;

    /// <summary>The directory itself or one of its ancestors is excluded.</summary>
    public bool IsExcluded { get; } = isExcluded;
}
