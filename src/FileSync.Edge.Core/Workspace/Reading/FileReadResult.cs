namespace FileSync.Edge.Workspace;

/// <summary>The outcome of reading one file; errors are carried, never thrown through the pipeline.</summary>
public sealed record FileReadResult(string RelativePath, FileReadStatus Status)
{
    public long Size { get; init; }
    public long MtimeTicks { get; init; }
    public long CtimeTicks { get; init; }
    public ulong FileId { get; init; }

    /// <summary>Wall-clock time (UTC ticks) just before the file was looked at.</summary>
    public long RecordedTicks { get; init; }
    public string? Hash { get; init; }

    /// <summary>The bytes, when the caller asked for content and the file was read.</summary>
    public byte[]? Content { get; init; }

    /// <summary>
    /// <see cref="Content"/> Brotli-compressed by the hash worker that read it, for a session that
    /// compresses content (so the loop only frames it); null when not tried or when it does not pay.
    /// </summary>
    public byte[]? CompressedContent { get; init; }
    public string? Error { get; init; }

    /// <summary>For <see cref="FileReadStatus.Withheld"/>: the secret guard's rule that matched.</summary>
    public FileSync.Edge.Filtering.Secrets.SecretRule? WithheldBy { get; init; }

    public FileEntry ToEntry() =>
        new(Size, MtimeTicks, Hash ?? "", CtimeTicks, FileId, RecordedTicks);
}
