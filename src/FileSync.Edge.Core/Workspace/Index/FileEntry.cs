namespace FileSync.Edge.Workspace;

/// <summary>What the index knows about one synced file.</summary>
/// <param name="Size">Length in bytes.</param>
/// <param name="MtimeTicks">Last write time (UTC ticks) when it was hashed.</param>
/// <param name="Hash">SHA-256 of the content, lowercase hex.</param>
/// <param name="CtimeTicks">Status change time (UTC ticks) when it was hashed; 0 where the OS does not tell.</param>
/// <param name="FileId">Inode (file id) when it was hashed; 0 where the OS does not tell.</param>
/// <param name="RecordedTicks">Wall-clock time (UTC ticks) just before the file was looked at for this entry; 0 = unknown.</param>
public readonly record struct FileEntry(
    long Size,
    long MtimeTicks,
    string Hash,
    long CtimeTicks = 0,
    ulong FileId = 0,
    long RecordedTicks = 0
)
{
    /// <summary>
    /// How close to the moment it was recorded a file's mtime or ctime may lie before the entry is
    /// "racy" (git's term): a later write in the same timestamp tick would leave the stamp unchanged.
    /// Timestamps in whole seconds (ext4 with small inodes, HFS+, FAT, many network file systems) get
    /// two seconds; finer ones (the kernel's clock tick, a few milliseconds) get a tenth of a second.
    /// </summary>
    public static readonly TimeSpan RacyWindow = TimeSpan.FromSeconds(2);

    /// <summary>The racy window for timestamps finer than a second.</summary>
    public static readonly TimeSpan FineRacyWindow = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// True when <paramref name="stamp"/> proves the file unchanged since this entry was recorded: size,
    /// mtime, ctime and file id all equal, and the entry is not racy. Anything less and the content is read.
    /// </summary>
    public bool IsConclusiveMatch(FileStamp stamp) =>
        stamp.Kind == FileKind.RegularFile
        && stamp.Size == Size
        && stamp.MtimeTicks == MtimeTicks
        && stamp.CtimeTicks == CtimeTicks
        && stamp.FileId == FileId
        && !IsRacy;

    /// <summary>
    /// True when <paramref name="stamp"/> equals what this entry recorded, racy or not: for a stamp taken
    /// moments ago in the same pass, where a change in between is reported by the watcher anyway.
    /// </summary>
    public bool StampMatches(FileStamp stamp) =>
        stamp.Kind == FileKind.RegularFile
        && stamp.Size == Size
        && stamp.MtimeTicks == MtimeTicks
        && stamp.CtimeTicks == CtimeTicks
        && stamp.FileId == FileId;

    /// <summary>Recorded at an unknown moment, or so soon after its last change that a same-tick write could hide.</summary>
    public bool IsRacy
    {
        get
        {
            if (RecordedTicks == 0)
            {
                return true;
            }
            var wholeSeconds =
                MtimeTicks % TimeSpan.TicksPerSecond == 0
                && CtimeTicks % TimeSpan.TicksPerSecond == 0;
            var window = wholeSeconds ? RacyWindow : FineRacyWindow;
            return RecordedTicks - Math.Max(MtimeTicks, CtimeTicks) < window.Ticks;
        }
    }
}
