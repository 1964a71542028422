using FileSync.Protocol;

namespace FileSync.Server.Mirror;

/// <summary>
/// State of one mirrored workspace. Every member is read and written under <see cref="Gate"/>,
/// which also serializes the file operations on the workspace folder.
/// </summary>
internal sealed class WorkspaceMirror(string name, string directory)
{
    public Lock Gate { get; } = new();

    /// <summary>Folder name under the mirror root.</summary>
    public string Name { get; } = name;

    /// <summary>Full path of the workspace folder on the server.</summary>
    public string Directory { get; } = directory;

    /// <summary>Absolute path of the workspace on the edge, as last reported.</summary>
    public string EdgePath { get; set; } = "";

    public bool Done { get; set; }

    public long Creates { get; set; }
    public long Modifies { get; set; }
    public long Deletes { get; set; }
    public long DoneMessages { get; set; }
    public long ManifestMessages { get; set; }
    public long ContentBytes { get; set; }

    /// <summary>
    /// The hash of mirror files by relative path, valid while size and mtime are unchanged and only for
    /// the algorithm it was computed with: edges of either algorithm may visit one workspace in turn.
    /// </summary>
    public Dictionary<string, CachedHash> Hashes { get; } = new(MirrorPaths.PathComparer);

    public ReceivedCounters SnapshotCounters() =>
        new()
        {
            Create = Creates,
            Modify = Modifies,
            Delete = Deletes,
            Done = DoneMessages,
            Manifest = ManifestMessages,
            ContentBytes = ContentBytes,
        };

    internal readonly record struct CachedHash(
        long Size,
        DateTime LastWriteUtc,
        ContentHash Algorithm,
        string Hash
    );
}
