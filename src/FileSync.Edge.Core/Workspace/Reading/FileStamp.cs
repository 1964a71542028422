using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace FileSync.Edge.Workspace;

/// <summary>The kind of file system entry a <see cref="FileStamp"/> describes.</summary>
public enum FileKind
{
    /// <summary>Nothing there.</summary>
    Missing,
    RegularFile,
    Directory,
    SymbolicLink,

    /// <summary>A FIFO, socket or device: never read.</summary>
    Special,
}

/// <summary>
/// What the file system says about one entry without following a final link: kind, size, mtime and
/// ctime (UTC ticks) and file id. Change detection trusts an unchanged stamp only when all of them
/// agree (see <see cref="FileEntry.IsConclusiveMatch"/>). On Linux it comes from one <c>statx</c>
/// call; elsewhere from <see cref="FileInfo"/>, without ctime and file id (zero: unknown).
/// </summary>
public readonly partial record struct FileStamp(
    FileKind Kind,
    long Size,
    long MtimeTicks,
    long CtimeTicks,
    ulong FileId,
    ulong Device = 0
)
{
    public static FileStamp Missing { get; } = new(FileKind.Missing, 0, 0, 0, 0);

    /// <summary>Reads the stamp of <paramref name="fullPath"/>; throws UnauthorizedAccessException or IOException when it cannot.</summary>
    public static FileStamp Of(string fullPath) =>
        OperatingSystem.IsLinux() ? Linux.Stat(fullPath) : Managed(fullPath);

    private static FileStamp Managed(string fullPath)
    {
        var info = new FileInfo(fullPath);
        if (!info.Exists)
        {
            return Directory.Exists(fullPath)
                ? new FileStamp(FileKind.Directory, 0, 0, 0, 0)
                : Missing;
        }
        if (info.LinkTarget is not null || (info.Attributes & FileAttributes.ReparsePoint) != 0)
        {
            return new FileStamp(FileKind.SymbolicLink, 0, 0, 0, 0);
        }
        if ((info.Attributes & FileAttributes.Device) != 0)
        {
            return new FileStamp(FileKind.Special, 0, 0, 0, 0);
        }
        return new FileStamp(FileKind.RegularFile, info.Length, info.LastWriteTimeUtc.Ticks, 0, 0);
    }

    [SupportedOSPlatform("linux")]
    private static unsafe partial class Linux
    {
        private const int AtFdCwd = -100;
        private const int AtSymlinkNoFollow = 0x100;
        private const uint StatxBasicStats = 0x7ff;
        private const int StatxSize = 256;
        private const int ModeOffset = 28;
        private const int InodeOffset = 32;
        private const int SizeOffset = 40;
        private const int CtimeOffset = 96;
        private const int MtimeOffset = 112;
        private const int DeviceMajorOffset = 136;
        private const int DeviceMinorOffset = 140;
        private const int ErrorNoEntry = 2;
        private const int ErrorAccess = 13;
        private const int ErrorNotDirectory = 20;
        private const int ErrorNameTooLong = 36;
        private const int ErrorLoop = 40;

        public static FileStamp Stat(string fullPath)
        {
            var buffer = stackalloc byte[StatxSize];
            if (Statx(AtFdCwd, fullPath, AtSymlinkNoFollow, StatxBasicStats, buffer) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                return errno switch
                {
                    ErrorNoEntry or ErrorNotDirectory or ErrorLoop => Missing,
                    ErrorAccess => throw new UnauthorizedAccessException(
                        $"Access to the path '{fullPath}' is denied."
                    ),
                    ErrorNameTooLong => throw new PathTooLongException(
                        $"The path '{fullPath}' is too long."
                    ),
                    _ => throw new IOException(
                        $"Cannot stat '{fullPath}': {Marshal.GetPInvokeErrorMessage(errno)}",
                        errno
                    ),
                };
            }
            var mode = *(ushort*)(buffer + ModeOffset);
            var kind = (mode & 0xF000) switch
            {
                0x8000 => FileKind.RegularFile,
                0x4000 => FileKind.Directory,
                0xA000 => FileKind.SymbolicLink,
                _ => FileKind.Special,
            };
            return new FileStamp(
                kind,
                (long)*(ulong*)(buffer + SizeOffset),
                Ticks(buffer + MtimeOffset),
                Ticks(buffer + CtimeOffset),
                *(ulong*)(buffer + InodeOffset),
                ((ulong)*(uint*)(buffer + DeviceMajorOffset) << 32)
                    | *(uint*)(buffer + DeviceMinorOffset)
            );
        }

        /// <summary>A <c>struct statx_timestamp</c> (i64 seconds, u32 nanoseconds) as UTC ticks, as <see cref="DateTime.Ticks"/> counts them.</summary>
        private static long Ticks(byte* timestamp) =>
            DateTime.UnixEpoch.Ticks
            + *(long*)timestamp * TimeSpan.TicksPerSecond
            + *(uint*)(timestamp + 8) / 100;

        [LibraryImport(
            "libc",
            EntryPoint = "statx",
            SetLastError = true,
            StringMarshalling = StringMarshalling.Utf8
        )]
        private static partial int Statx(
            int directoryFd,
            string path,
            int flags,
            uint mask,
            byte* buffer
        );
    }
}
