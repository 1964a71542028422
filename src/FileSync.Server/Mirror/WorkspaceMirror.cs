using FileSync.Protocol;

namespace FileSync.Server.Mirror;

/// <summary>
/// State of one mirrored workspace. Everything is written under <see cref="Gate"/>, which also
/// serializes the file operations on the workspace folder. What <c>/api/status</c> shows — the
/// counters, <see cref="Files"/>, <see cref="Bytes"/>, <see cref="Done"/>, <see cref="EdgePath"/> —
/// is read without it: status never waits for a write, and never walks the folder.
/// </summary>
internal sealed class WorkspaceMirror(string name, string directory)
{
    private long _files;
    private long _bytes;
    private long _creates;
    private long _modifies;
    private long _deletes;
    private long _doneMessages;
    private long _manifestMessages;
    private long _contentBytes;
    private volatile bool _done;
    private volatile string _edgePath = "";

    public Lock Gate { get; } = new();

    /// <summary>Folder name under the mirror root.</summary>
    public string Name { get; } = name;

    /// <summary>Full path of the workspace folder on the server.</summary>
    public string Directory { get; } = directory;

    /// <summary>Absolute path of the workspace on the edge, as last reported.</summary>
    public string EdgePath
    {
        get => _edgePath;
        set => _edgePath = value;
    }

    public bool Done
    {
        get => _done;
        set => _done = value;
    }

    /// <summary>
    /// True once <see cref="Files"/> and <see cref="Bytes"/> hold what the folder held when this
    /// server first touched the workspace (one walk, under the lock) plus every change since.
    /// </summary>
    public bool IsCounted { get; private set; }

    /// <summary>Regular files in the mirror folder (temp files and links not counted).</summary>
    public long Files => Interlocked.Read(ref _files);

    /// <summary>Bytes of those files.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Sets the content counters from a full listing of the folder (under <see cref="Gate"/>).</summary>
    public void SetContent(long files, long bytes)
    {
        Interlocked.Exchange(ref _files, files);
        Interlocked.Exchange(ref _bytes, bytes);
        IsCounted = true;
    }

    /// <summary>A file appeared (<paramref name="files"/> = 1), went away (-1) or changed size (0).</summary>
    public void ChangeContent(long files, long bytes)
    {
        Interlocked.Add(ref _files, files);
        Interlocked.Add(ref _bytes, bytes);
    }

    public void CountCreate(long contentBytes)
    {
        Interlocked.Increment(ref _creates);
        Interlocked.Add(ref _contentBytes, contentBytes);
    }

    public void CountModify(long contentBytes)
    {
        Interlocked.Increment(ref _modifies);
        Interlocked.Add(ref _contentBytes, contentBytes);
    }

    public void CountDelete() => Interlocked.Increment(ref _deletes);

    public void CountDone() => Interlocked.Increment(ref _doneMessages);

    public void CountManifest() => Interlocked.Increment(ref _manifestMessages);

    /// <summary>
    /// The hash of mirror files by relative path, valid while size and mtime are unchanged and only for
    /// the algorithm it was computed with: edges of either algorithm may visit one workspace in turn.
    /// </summary>
    public Dictionary<string, CachedHash> Hashes { get; } = new(MirrorPaths.PathComparer);

    public ReceivedCounters SnapshotCounters() =>
        new()
        {
            Create = Interlocked.Read(ref _creates),
            Modify = Interlocked.Read(ref _modifies),
            Delete = Interlocked.Read(ref _deletes),
            Done = Interlocked.Read(ref _doneMessages),
            Manifest = Interlocked.Read(ref _manifestMessages),
            ContentBytes = Interlocked.Read(ref _contentBytes),
        };

    internal readonly record struct CachedHash(
        long Size,
        DateTime LastWriteUtc,
        ContentHash Algorithm,
        string Hash
    );
}
