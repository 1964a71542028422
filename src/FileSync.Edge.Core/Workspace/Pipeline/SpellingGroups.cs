namespace FileSync.Edge.Workspace.Pipeline;

/// <summary>
/// Paths grouped by the name a disk sees in them: NFC, and upper case on a case-insensitive disk. A
/// group of two or more holds spellings of one file, of which at most one can be on disk.
/// </summary>
internal sealed class SpellingGroups(bool caseInsensitiveDisk)
{
    private readonly Dictionary<string, object> _groups = new(StringComparer.Ordinal);

    public void Add(string path)
    {
        var key = KeyOf(path);
        if (!_groups.TryGetValue(key, out var group))
        {
            // One spelling (nearly always): the path itself, no list.
            _groups[key] = path;
        }
        else if (group is List<string> list)
        {
            list.Add(path);
        }
        else
        {
            _groups[key] = new List<string> { (string)group, path };
        }
    }

    public void Remove(string path)
    {
        var key = KeyOf(path);
        if (!_groups.TryGetValue(key, out var group))
        {
            return;
        }
        if (group is List<string> list)
        {
            list.Remove(path);
            if (list.Count == 1)
            {
                _groups[key] = list[0];
            }
        }
        else if ((string)group == path)
        {
            _groups.Remove(key);
        }
    }

    public void Clear() => _groups.Clear();

    /// <summary>The other spellings of <paramref name="path"/> in here (not <paramref name="path"/> itself).</summary>
    public List<string> OthersOf(string path)
    {
        if (!_groups.TryGetValue(KeyOf(path), out var group))
        {
            return [];
        }
        return group is List<string> list ? list.Where(p => p != path).ToList()
            : (string)group == path ? []
            : [(string)group];
    }

    private string KeyOf(string path)
    {
        var nfc = UnicodeNfc.Normalize(path);
        return caseInsensitiveDisk ? nfc.ToUpperInvariant() : nfc;
    }
}
