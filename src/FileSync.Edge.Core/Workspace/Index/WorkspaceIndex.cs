using System.Diagnostics.CodeAnalysis;
using FileSync.Protocol;

namespace FileSync.Edge.Workspace;

/// <summary>
/// relative path → (size, mtime, hash of <see cref="Algorithm"/>) of every file of a workspace that is synced. Owned by one
/// <see cref="WorkspaceSync"/> loop; not thread-safe.
/// </summary>
public sealed class WorkspaceIndex
{
    private readonly Dictionary<string, FileEntry> _entries;

    public WorkspaceIndex(StringComparer? comparer = null)
    {
        Comparer = comparer ?? PathComparer.WireNames;
        _entries = new Dictionary<string, FileEntry>(Comparer);
    }

    public StringComparer Comparer { get; }

    /// <summary>
    /// The algorithm of every entry's hash. An index is only ever of one: switching it (a server of the
    /// other algorithm) empties the index, so each file is read again (see <see cref="Reset"/>).
    /// </summary>
    public ContentHash Algorithm { get; set; } = ContentHash.Sha256;

    public int Count => _entries.Count;

    public long TotalBytes { get; private set; }

    public IEnumerable<string> Paths => _entries.Keys;

    public IEnumerable<KeyValuePair<string, FileEntry>> Entries => _entries;

    public bool TryGet(string relativePath, [MaybeNullWhen(false)] out FileEntry entry) =>
        _entries.TryGetValue(relativePath, out entry);

    public bool Contains(string relativePath) => _entries.ContainsKey(relativePath);

    public void Set(string relativePath, FileEntry entry)
    {
        if (_entries.TryGetValue(relativePath, out var old))
        {
            TotalBytes -= old.Size;
        }
        _entries[relativePath] = entry;
        TotalBytes += entry.Size;
    }

    public bool Remove(string relativePath)
    {
        if (_entries.Remove(relativePath, out var old))
        {
            TotalBytes -= old.Size;
            return true;
        }
        return false;
    }

    public void Clear()
    {
        _entries.Clear();
        TotalBytes = 0;
    }

    /// <summary>Empties the index and makes <paramref name="algorithm"/> the algorithm of what it holds next.</summary>
    public void Reset(ContentHash algorithm)
    {
        Clear();
        Algorithm = algorithm;
    }

    /// <summary>Every indexed path strictly under <paramref name="directory"/> ('' = the whole workspace).</summary>
    public List<string> PathsUnder(string directory)
    {
        var result = new List<string>();
        if (directory.Length == 0)
        {
            result.AddRange(_entries.Keys);
            return result;
        }
        var comparison =
            Comparer == StringComparer.OrdinalIgnoreCase
                ? StringComparison.OrdinalIgnoreCase
                : StringComparison.Ordinal;
        foreach (var path in _entries.Keys)
        {
            if (
                path.Length > directory.Length
                && path[directory.Length] == '/'
                && path.StartsWith(directory, comparison)
            )
            {
                result.Add(path);
            }
        }
        return result;
    }
}
