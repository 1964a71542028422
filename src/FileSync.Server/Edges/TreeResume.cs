using FileSync.Protocol;
using FileSync.Protocol.Tree;
using FileSync.Server.Mirror;

namespace FileSync.Server.Edges;

/// <summary>
/// One digest-first resume in progress: the mirror's tree, the directories asked for, and the edge's
/// manifest as far as the listings (and the matching directories) tell it.
/// </summary>
internal sealed class TreeResume(string root, ManifestTree mirror)
{
    public string Root { get; } = root;

    public ManifestTree Mirror { get; } = mirror;

    /// <summary>The edge's files found so far.</summary>
    public List<ManifestItem> Items { get; } = [];

    public HashSet<string> AwaitedDirs { get; } = new(StringComparer.Ordinal);

    public HashSet<string> AwaitedSubtrees { get; } = new(StringComparer.Ordinal);

    public HashSet<string> NextDirs { get; } = new(StringComparer.Ordinal);

    public HashSet<string> NextSubtrees { get; } = new(StringComparer.Ordinal);

    public int Rounds { get; set; }

    /// <summary>Takes one listing frame; returns why it is not acceptable, or null.</summary>
    public string? Take(TreeListingPayload listing)
    {
        foreach (var directory in listing.Dirs ?? [])
        {
            if (directory?.Dir is not { } dir || !AwaitedDirs.Contains(dir))
            {
                return "the listing names a directory that was not asked for";
            }
            foreach (var file in directory.Files ?? [])
            {
                if (!TryAddFile(dir, file, nested: false, out var problem))
                {
                    return problem;
                }
            }
            foreach (var child in directory.Subdirs ?? [])
            {
                if (child?.Name is not { Length: > 0 } childName || childName.Contains('/'))
                {
                    return "a subdirectory has no name or a name with '/'";
                }
                var path = ManifestTree.Join(dir, childName);
                var mine = Mirror.Find(path);
                if (mine is null)
                {
                    NextSubtrees.Add(path);
                }
                else if (
                    string.Equals(mine.Digest, child.Digest, StringComparison.OrdinalIgnoreCase)
                )
                {
                    // Equal digests: the edge holds exactly what the mirror holds beneath it.
                    foreach (var entry in Mirror.FilesUnder(path))
                    {
                        Items.Add(new ManifestItem(entry.RelativePath, entry.Hash, entry.Size));
                    }
                }
                else
                {
                    NextDirs.Add(path);
                }
            }
        }
        foreach (var subtree in listing.Subtrees ?? [])
        {
            if (subtree?.Dir is not { } dir || !AwaitedSubtrees.Contains(dir))
            {
                return "the listing names a subtree that was not asked for";
            }
            foreach (var file in subtree.Files ?? [])
            {
                if (!TryAddFile(dir, file, nested: true, out var problem))
                {
                    return problem;
                }
            }
        }
        return Items.Count > EdgeMessageHandler.MaxManifestEntries
            ? $"the tree has more than {EdgeMessageHandler.MaxManifestEntries} files"
            : null;
    }

    /// <summary>Starts the next round: what to ask for, now awaited.</summary>
    public (List<string> Dirs, List<string> Subtrees) NextRound()
    {
        AwaitedDirs.Clear();
        AwaitedSubtrees.Clear();
        AwaitedDirs.UnionWith(NextDirs);
        AwaitedSubtrees.UnionWith(NextSubtrees);
        NextDirs.Clear();
        NextSubtrees.Clear();
        return (
            [.. AwaitedDirs.Order(StringComparer.Ordinal)],
            [.. AwaitedSubtrees.Order(StringComparer.Ordinal)]
        );
    }

    private bool TryAddFile(string dir, TreeListingFile? file, bool nested, out string? problem)
    {
        if (
            file?.Name is not { Length: > 0 } name
            || (!nested && name.Contains('/'))
            || file.Hash is null
        )
        {
            problem = "a listed file needs a 'name' (without '/' outside subtrees) and a 'hash'";
            return false;
        }
        Items.Add(new ManifestItem(ManifestTree.Join(dir, name), file.Hash, file.Size));
        problem = null;
        return true;
    }
}
