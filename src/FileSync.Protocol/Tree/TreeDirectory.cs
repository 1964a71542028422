namespace FileSync.Protocol.Tree;

/// <summary>One directory of a <see cref="ManifestTree"/>: its files, its subdirectories and its digest.</summary>
public sealed class TreeDirectory
{
    internal TreeDirectory(string path)
    {
        Path = path;
    }

    /// <summary>Relative to the workspace root, <c>/</c>-separated; <c>""</c> for the root.</summary>
    public string Path { get; }

    /// <summary>Lowercase hex SHA-256 (see <see cref="ManifestTree"/>).</summary>
    public string Digest { get; private set; } = "";

    /// <summary>Files directly in this directory, in UTF-8 name order.</summary>
    public IReadOnlyList<TreeFile> Files => FileList;

    /// <summary>Subdirectories holding files, in UTF-8 name order.</summary>
    public IReadOnlyList<TreeSubdirectory> Directories { get; private set; } = [];

    internal List<TreeFile> FileList { get; } = [];

    internal HashSet<string> ChildNames { get; } = new(StringComparer.Ordinal);

    internal void Seal(Func<string, string> digestOf)
    {
        FileList.Sort((a, b) => Utf8Order.Compare(a.Name, b.Name));
        var children = ChildNames
            .Select(name => new TreeSubdirectory(name, digestOf(name)))
            .ToList();
        children.Sort((a, b) => Utf8Order.Compare(a.Name, b.Name));
        Directories = children;
        Digest = ManifestTree.Digest(FileList, children);
    }
}

/// <summary>A file in a <see cref="TreeDirectory"/>: its name there, content hash and size.</summary>
public sealed record TreeFile(string Name, string Hash, long Size);

/// <summary>A subdirectory of a <see cref="TreeDirectory"/>: its name there and digest.</summary>
public sealed record TreeSubdirectory(string Name, string Digest);
