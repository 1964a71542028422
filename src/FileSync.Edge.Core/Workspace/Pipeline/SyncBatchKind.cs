namespace FileSync.Edge.Workspace.Pipeline;

/// <summary>
/// What a batch is for. It decides what is read, what the server is assumed to hold and what is sent;
/// see <see cref="SyncBatch"/> for the three questions the stages ask of it.
/// </summary>
internal enum SyncBatchKind
{
    /// <summary>
    /// The paths change notifications named: each is read and hashed whatever the index says (size and
    /// mtime can stay the same across a real change); only real differences are sent.
    /// </summary>
    Changes,

    /// <summary>
    /// The whole workspace (a rescan): a file whose stamp proves it unchanged, and whose content the
    /// server has, is not read; only real differences are sent.
    /// </summary>
    Rescan,

    /// <summary>
    /// A manifest resume's first pass: only the index is brought up to date; nothing is sent or deleted,
    /// and content is kept (within a budget) for the files the server will ask for.
    /// </summary>
    ManifestIndex,

    /// <summary>A manifest resume's second pass: the files the server said it needs.</summary>
    ManifestNeeded,

    /// <summary>
    /// Every file is sent, as a create, whatever the server is thought to hold: the full sync with a
    /// server without the manifest, or one that did not answer it.
    /// </summary>
    ResendAll,
}
