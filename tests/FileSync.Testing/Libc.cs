using System.Runtime.InteropServices;

namespace FileSync.Testing;

/// <summary>
/// The few Linux libc calls the tests and the benchmark harness make themselves: signals, inotify,
/// poll, read, close, chown, page residency and the clock-tick rate. One set of declarations for every caller.
/// </summary>
public static unsafe partial class Libc
{
    public const int SigTerm = 15;
    public const int SigCont = 18;
    public const int SigStop = 19;

    public const int EAgain = 11;

    public const int InCloexec = 0x80000;
    public const int InNonblock = 0x800;

    public const uint InAccess = 0x00000001;
    public const uint InCloseWrite = 0x00000008;
    public const uint InOpen = 0x00000020;
    public const uint InMovedTo = 0x00000080;
    public const uint InCreate = 0x00000100;
    public const uint InQueueOverflow = 0x00004000;
    public const uint InIsDirectory = 0x40000000;

    public const short PollIn = 0x001;

    private const int ScClockTicks = 2;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short ReturnedEvents;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "inotify_init1", SetLastError = true)]
    public static partial int InotifyInit(int flags);

    [LibraryImport(
        "libc",
        EntryPoint = "inotify_add_watch",
        SetLastError = true,
        StringMarshalling = StringMarshalling.Utf8
    )]
    public static partial int InotifyAddWatch(int fd, string path, uint mask);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, byte* buffer, nint count);

    /// <summary><c>read(2)</c> into a managed buffer.</summary>
    public static nint Read(int fd, Span<byte> buffer)
    {
        fixed (byte* start = buffer)
        {
            return Read(fd, start, buffer.Length);
        }
    }

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint count, int timeoutMilliseconds);

    /// <summary>Which pages of [<paramref name="start"/>, +<paramref name="length"/>) are resident: bit 0 of one byte per page.</summary>
    [LibraryImport("libc", EntryPoint = "mincore", SetLastError = true)]
    public static partial int Mincore(nint start, nuint length, byte* pages);

    /// <summary>Which pages of [<paramref name="start"/>, +<paramref name="length"/>) are resident, into <paramref name="pages"/>.</summary>
    public static int Mincore(nint start, nuint length, Span<byte> pages)
    {
        fixed (byte* bits = pages)
        {
            return Mincore(start, length, bits);
        }
    }

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(
        "libc",
        EntryPoint = "chown",
        SetLastError = true,
        StringMarshalling = StringMarshalling.Utf8
    )]
    public static partial int Chown(string path, uint owner, uint group);

    [LibraryImport("libc", EntryPoint = "sysconf")]
    private static partial long SysConf(int name);

    /// <summary>Kernel clock ticks per second (the unit of utime/stime in /proc/PID/stat).</summary>
    public static long ClockTicksPerSecond { get; } =
        OperatingSystem.IsWindows() ? 100 : Math.Max(1, SysConf(ScClockTicks));
}
