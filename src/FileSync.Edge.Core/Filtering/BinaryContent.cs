namespace FileSync.Edge.Filtering;

/// <summary>
/// Decides whether file content is binary, the way git does: a NUL byte in the first
/// <see cref="SniffLength"/> bytes. Binary files are skipped by the sync instead of being
/// decoded as text and mangled.
/// </summary>
public static class BinaryContent
{
    /// <summary>How many leading bytes are inspected (8 KB, as git's <c>buffer_is_binary</c> heuristic).</summary>
    public const int SniffLength = 8192;

    /// <summary>
    /// True when <paramref name="content"/> contains a NUL byte within its first
    /// <see cref="SniffLength"/> bytes. Bytes after that are not inspected, so callers may pass
    /// the whole file or only its beginning.
    /// </summary>
    public static bool LooksBinary(ReadOnlySpan<byte> content)
    {
        var head = content.Length > SniffLength ? content[..SniffLength] : content;
        return head.Contains((byte)0);
    }
}
