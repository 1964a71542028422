namespace FileSync.Edge.Workspace.Pipeline;

/// <summary>The decision about one read file (see <see cref="SyncReconciler"/>).</summary>
internal readonly record struct SyncAction(SyncActionKind Kind, FileReadResult Result)
{
    /// <summary>For <see cref="SyncActionKind.Send"/>: sent as a create (the server does not hold it, or may not).</summary>
    public bool Created { get; init; }

    /// <summary>The server may hold some version of the file (a delete is due if it cannot be sent).</summary>
    public bool ServerMayHold { get; init; }

    /// <summary>For <see cref="SyncActionKind.Record"/>: keep the content read, the server may ask for it.</summary>
    public bool Hold { get; init; }

    /// <summary>For <see cref="SyncActionKind.Drop"/>: counted as skipped for this reason (null: not counted).</summary>
    public FileReadStatus? SkipAs { get; init; }

    /// <summary>For <see cref="SyncActionKind.Drop"/>: a delete goes to the server.</summary>
    public bool DeleteOnServer { get; init; }

    /// <summary>For <see cref="SyncActionKind.Send"/>: other spellings of the name the server may hold, deleted before the send.</summary>
    public IReadOnlyList<string> ReplacedSpellings { get; init; } = [];

    public string Path => Result.RelativePath;
}
