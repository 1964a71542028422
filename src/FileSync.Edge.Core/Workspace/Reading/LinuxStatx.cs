using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace FileSync.Edge.Workspace;

/// <summary>
/// Linux <c>statx(2)</c>, shared by <see cref="FileStamp"/> (stamps by path) and
/// <see cref="WorkspaceFileOpener"/> (the type of an open descriptor): the call, its flags and the
/// offsets of <c>struct statx</c> the agent reads.
/// </summary>
[SupportedOSPlatform("linux")]
internal static unsafe partial class LinuxStatx
{
    /// <summary>Bytes of <c>struct statx</c> (256 on every ABI).</summary>
    public const int Size = 256;

    public const int AtFdCwd = -100;
    public const int AtSymlinkNoFollow = 0x100;
    public const int AtEmptyPath = 0x1000;

    public const uint MaskType = 0x1;
    public const uint MaskBasicStats = 0x7ff;

    // struct statx: u16 stx_mode after mask, blksize, attributes, nlink, uid, gid.
    public const int ModeOffset = 28;
    public const int InodeOffset = 32;
    public const int SizeOffset = 40;
    public const int CtimeOffset = 96;
    public const int MtimeOffset = 112;
    public const int DeviceMajorOffset = 136;
    public const int DeviceMinorOffset = 140;

    public const int FileTypeMask = 0xF000;
    public const int RegularFile = 0x8000;
    public const int Directory = 0x4000;
    public const int SymbolicLink = 0xA000;

    /// <summary>A <c>struct statx_timestamp</c> (i64 seconds, u32 nanoseconds) as UTC ticks, as <see cref="DateTime.Ticks"/> counts them.</summary>
    public static long Ticks(byte* timestamp) =>
        DateTime.UnixEpoch.Ticks
        + *(long*)timestamp * TimeSpan.TicksPerSecond
        + *(uint*)(timestamp + 8) / 100;

    /// <summary>The file type bits of <c>stx_mode</c> in a filled buffer.</summary>
    public static int FileType(byte* buffer) => *(ushort*)(buffer + ModeOffset) & FileTypeMask;

    [LibraryImport(
        "libc",
        EntryPoint = "statx",
        SetLastError = true,
        StringMarshalling = StringMarshalling.Utf8
    )]
    public static partial int Call(
        int directoryFd,
        string path,
        int flags,
        uint mask,
        byte* buffer
    );
}
