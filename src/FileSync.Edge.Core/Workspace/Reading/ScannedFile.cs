namespace FileSync.Edge.Workspace;

/// <summary>A regular, non-ignored file found by a scan, with its size and mtime (UTC ticks).</summary>
public readonly record struct ScannedFile(string RelativePath, long Size, long MtimeTicks);
