namespace FileSync.Edge.Workspace.Pipeline;

/// <summary>
/// What one workspace's stages share and change: the index of what was read, what the server is
/// thought to hold, content kept between a manifest resume's two passes, and the counters. The loop's
/// own (see each type for what is safe on other threads).
/// </summary>
internal sealed class WorkspaceSyncState(TimeProvider time)
{
    /// <summary>Every synced file as last read: stamp, size and content hash.</summary>
    public WorkspaceIndex Index { get; } = new();

    /// <summary>What the server is thought to hold, by path.</summary>
    public ServerHoldings Server { get; } = new();

    /// <summary>Content read in a manifest resume's index pass, kept for the files the server asks for.</summary>
    public HeldContent Held { get; } = new();

    /// <summary>Skipped, withheld and failing files, messages and batches sent.</summary>
    public WorkspaceCounters Counters { get; } = new(time);
}
