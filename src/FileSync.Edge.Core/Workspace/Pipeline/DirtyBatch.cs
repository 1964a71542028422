namespace FileSync.Edge.Workspace.Pipeline;

/// <summary>The changed paths of one batch; <paramref name="Overflowed"/>: too many to track, rescan instead.</summary>
internal readonly record struct DirtyBatch(HashSet<string> Paths, bool Overflowed);
