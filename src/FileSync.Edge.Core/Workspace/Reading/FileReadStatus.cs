namespace FileSync.Edge.Workspace;

/// <summary>What reading one candidate file found.</summary>
public enum FileReadStatus
{
    /// <summary>Size and mtime match the index and the server already has this hash: nothing was read.</summary>
    Unchanged,

    /// <summary>Read and hashed.</summary>
    Ok,

    /// <summary>The path does not exist (deleted, renamed away, or vanished mid-read).</summary>
    Missing,

    /// <summary>The path is a directory, a symlink or another non-regular file.</summary>
    NotAFile,

    /// <summary>Excluded by ignore rules.</summary>
    Ignored,

    /// <summary>Larger than the size limit.</summary>
    TooLarge,

    /// <summary>A NUL byte in the first 8 KB.</summary>
    Binary,

    /// <summary>Permission denied or another I/O error.</summary>
    Unreadable,

    /// <summary>Size or mtime changed while it was read: still being written, re-checked next batch.</summary>
    Unstable,

    /// <summary>Text that is not valid UTF-8, for a server that can only store text (no capabilities): skipped.</summary>
    NotUtf8,

    /// <summary>Its name is not valid UTF-8, so the protocol cannot carry it: skipped.</summary>
    InvalidName,

    /// <summary>
    /// Another entry of its folder has the same wire name (the NFC and NFD spellings of one name, possible
    /// on ext4): that one is synced, this one skipped.
    /// </summary>
    NameConflict,

    /// <summary>Opening it landed outside the workspace (a directory on its path was swapped for a link): not read.</summary>
    OutsideWorkspace,
}
