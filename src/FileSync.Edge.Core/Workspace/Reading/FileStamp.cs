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
    private static unsafe class Linux
    {
        private const int ErrorNoEntry = 2;
        private const int ErrorAccess = 13;
        private const int ErrorNotDirectory = 20;
        private const int ErrorNameTooLong = 36;
        private const int ErrorLoop = 40;

        public static FileStamp Stat(string fullPath)
        {
            var buffer = stackalloc byte[LinuxStatx.Size];
            if (
                LinuxStatx.Call(
                    LinuxStatx.AtFdCwd,
                    fullPath,
                    LinuxStatx.AtSymlinkNoFollow,
                    LinuxStatx.MaskBasicStats,
                    buffer
                ) != 0
            )
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
            var kind = LinuxStatx.FileType(buffer) switch
            {
                LinuxStatx.RegularFile => FileKind.RegularFile,
                LinuxStatx.Directory => FileKind.Directory,
                LinuxStatx.SymbolicLink => FileKind.SymbolicLink,
                _ => FileKind.Special,
            };
            return new FileStamp(
                kind,
                (long)*(ulong*)(buffer + LinuxStatx.SizeOffset),
                LinuxStatx.Ticks(buffer + LinuxStatx.MtimeOffset),
                LinuxStatx.Ticks(buffer + LinuxStatx.CtimeOffset),
                *(ulong*)(buffer + LinuxStatx.InodeOffset),
                ((ulong)*(uint*)(buffer + LinuxStatx.DeviceMajorOffset) << 32)
                    | *(uint*)(buffer + LinuxStatx.DeviceMinorOffset)
            );
        }
    }
}
