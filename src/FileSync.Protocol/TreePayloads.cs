namespace FileSync.Protocol;

// The digest-first resume (capability manifest-tree), see README.md.

/// <summary>Payload of <c>workspace:manifest_tree</c>: the digest of everything the edge has in a workspace.</summary>
public sealed record ManifestTreePayload
{
    /// <summary>Absolute path of the workspace root.</summary>
    public required string Path { get; init; }
    public string? EdgeId { get; init; }
    public string? UserId { get; init; }

    /// <summary>The root directory's digest, lowercase hex.</summary>
    public required string Digest { get; init; }

    /// <summary>How many files the tree holds.</summary>
    public int Files { get; init; }
}

/// <summary>Payload of <c>workspace:tree_request</c>: the directories the server wants to see.</summary>
public sealed record TreeRequestPayload
{
    public string? Path { get; init; }

    /// <summary>Directories (relative, <c>""</c> = root) to list one level deep: files and subdirectory digests.</summary>
    public IReadOnlyList<string?>? Dirs { get; init; }

    /// <summary>Directories to list completely: every file beneath, the server has none of them.</summary>
    public IReadOnlyList<string?>? Subtrees { get; init; }
}

/// <summary>Payload of <c>workspace:tree_listing</c>: the answer to one request, possibly in several frames.</summary>
public sealed record TreeListingPayload
{
    public required string Path { get; init; }
    public string? EdgeId { get; init; }
    public string? UserId { get; init; }
    public IReadOnlyList<TreeListingDirectory?>? Dirs { get; init; }
    public IReadOnlyList<TreeListingDirectory?>? Subtrees { get; init; }

    /// <summary>True on the last frame of the answer.</summary>
    public bool Last { get; init; } = true;
}

/// <summary>
/// One listed directory. In <see cref="TreeListingPayload.Dirs"/>: its files (names in it) and
/// subdirectories with their digests. In <see cref="TreeListingPayload.Subtrees"/>: every file beneath
/// (names relative to <see cref="Dir"/>), no subdirectories. A directory may be split over frames.
/// </summary>
public sealed record TreeListingDirectory
{
    public string? Dir { get; init; }
    public IReadOnlyList<TreeListingFile?>? Files { get; init; }
    public IReadOnlyList<TreeListingSubdirectory?>? Subdirs { get; init; }
}

/// <summary>A file of a <see cref="TreeListingDirectory"/>.</summary>
public sealed record TreeListingFile
{
    public string? Name { get; init; }
    public string? Hash { get; init; }
    public long? Size { get; init; }
}

/// <summary>A subdirectory of a <see cref="TreeListingDirectory"/>.</summary>
public sealed record TreeListingSubdirectory
{
    public string? Name { get; init; }
    public string? Digest { get; init; }
}
