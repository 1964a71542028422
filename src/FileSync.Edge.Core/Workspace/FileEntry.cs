namespace FileSync.Edge.Workspace;

/// <summary>What the index knows about one synced file.</summary>
/// <param name="Size">Length in bytes.</param>
/// <param name="MtimeTicks">Last write time (UTC ticks) when it was hashed.</param>
/// <param name="Hash">SHA-256 of the content, lowercase hex.</param>
public readonly record struct FileEntry(long Size, long MtimeTicks, string Hash);
