namespace FileSync.Edge.Workspace.Pipeline;

/// <summary>
/// What the server holds of each file as far as this agent knows: the hash it was last sent, or one
/// of two markers. Any path in here may be on the server, so a file gone from disk that is still in
/// here gets a delete. Paths are wire names (exact); <see cref="OtherSpellingsOf"/> finds the
/// spellings of a name that the disk cannot tell apart from it. Used on the workspace's loop only;
/// not thread-safe.
/// </summary>
/// <param name="caseInsensitiveDisk">The disk finds a file under any case of its name (default: <see cref="PathComparer.IgnoreCase"/>).</param>
internal sealed class ServerHoldings(bool? caseInsensitiveDisk = null)
{
    /// <summary>
    /// The server said it needs the file: absent there, or there in another version. Sent as a create;
    /// if it is gone first, a delete goes out.
    /// </summary>
    public const string MaybeHeld = "?";

    /// <summary>The server could not apply our last send: its copy is unknown, so it is sent (or deleted) again.</summary>
    public const string Unknown = "";

    private readonly Dictionary<string, string> _hashes = new(PathComparer.WireNames);
    private readonly SpellingGroups _spellings = new(
        caseInsensitiveDisk ?? PathComparer.IgnoreCase
    );

    public int Count => _hashes.Count;

    public IEnumerable<string> Paths => _hashes.Keys;

    public bool MayHold(string path) => _hashes.ContainsKey(path);

    public bool TryGet(string path, out string hash) => _hashes.TryGetValue(path, out hash!);

    /// <summary>The hash the server holds, a marker, or null when it holds nothing of it.</summary>
    public string? HashOf(string path) => _hashes.GetValueOrDefault(path);

    public void Record(string path, string hash) => Set(path, hash);

    public void MarkMaybeHeld(string path) => Set(path, MaybeHeld);

    public void MarkUnknown(string path) => Set(path, Unknown);

    public bool Forget(string path)
    {
        if (!_hashes.Remove(path))
        {
            return false;
        }
        _spellings.Remove(path);
        return true;
    }

    public void Clear()
    {
        _hashes.Clear();
        _spellings.Clear();
    }

    /// <summary>
    /// The paths the server may hold that are other spellings of <paramref name="path"/> as this disk
    /// sees it: another Unicode form (a name sent in NFD by an older agent), and on a case-insensitive
    /// disk another case (the old name of a case-only rename). The disk holds one of them at most.
    /// </summary>
    public List<string> OtherSpellingsOf(string path) => _spellings.OthersOf(path);

    /// <summary>After a change of content hash: every known file may be held, in a version we cannot name.</summary>
    public void MarkAllMaybeHeld()
    {
        foreach (var path in _hashes.Keys.ToList())
        {
            _hashes[path] = MaybeHeld;
        }
    }

    /// <summary>The paths under <paramref name="directory"/> (not the directory itself).</summary>
    public IEnumerable<string> PathsUnder(string directory)
    {
        var prefix = directory + "/";
        return _hashes.Keys.Where(path => path.StartsWith(prefix, PathComparer.WireComparison));
    }

    private void Set(string path, string hash)
    {
        if (_hashes.TryAdd(path, hash))
        {
            _spellings.Add(path);
        }
        else
        {
            _hashes[path] = hash;
        }
    }
}
