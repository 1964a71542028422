namespace FileSync.Edge.Workspace.Pipeline;

/// <summary>One path to re-check, with what the index and the server had for it when the batch was planned.</summary>
internal readonly record struct WorkItem(string Path, FileEntry? Indexed, string? ServerHash);
