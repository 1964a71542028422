namespace FileSync.Edge.Workspace.Pipeline;

/// <summary>
/// Content read during a manifest pass, kept (up to <see cref="Budget"/> bytes) for the files the
/// server then asks for, so they are not read twice. Filled by the loop during the index-only pass and
/// read by the hasher's threads only in the pass after it, never both at once.
/// </summary>
internal sealed class HeldContent
{
    public const long Budget = 16 * 1024 * 1024;

    private readonly Dictionary<string, (string Hash, byte[] Content)> _files = new(
        PathComparer.Default
    );
    private long _bytes;

    /// <summary>Whether a file read now may still be kept.</summary>
    public bool HasRoom => Interlocked.Read(ref _bytes) < Budget;

    public bool TryGet(string path, out string hash, out byte[] content)
    {
        if (_files.TryGetValue(path, out var held))
        {
            (hash, content) = held;
            return true;
        }
        (hash, content) = ("", []);
        return false;
    }

    /// <summary>Keeps the content when it fits the budget.</summary>
    public void TryHold(string path, string hash, byte[] content)
    {
        if (_bytes + content.Length <= Budget)
        {
            _files[path] = (hash, content);
            Interlocked.Add(ref _bytes, content.Length);
        }
    }

    public void Clear()
    {
        _files.Clear();
        Interlocked.Exchange(ref _bytes, 0);
    }
}
