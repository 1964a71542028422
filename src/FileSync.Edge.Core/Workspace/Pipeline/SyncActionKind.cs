namespace FileSync.Edge.Workspace.Pipeline;

/// <summary>What to do about one file after it was read.</summary>
internal enum SyncActionKind
{
    /// <summary>Unchanged and already on the server: nothing, but it no longer counts as a problem.</summary>
    Unchanged,

    /// <summary>Into the index; the server already has this content, or nothing is sent in this batch.</summary>
    Record,

    /// <summary>Into the index and sent (create or modify).</summary>
    Send,

    /// <summary>A new file past the file limit: the next rescan decides (and refuses the workspace).</summary>
    OverLimit,

    /// <summary>Changed while being read: checked again in the next batch.</summary>
    Retry,

    /// <summary>Could not be read: counted as an error, by name.</summary>
    Fail,

    /// <summary>Gone, ignored or not syncable (too large, binary): out of the index, deleted on the server.</summary>
    Drop,
}
