using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace FileSync.Edge.Watching;

/// <summary>The Linux calls behind <see cref="InotifyWorkspaceWatcher"/>: inotify(7), eventfd(2), poll(2).</summary>
[SupportedOSPlatform("linux")]
internal static unsafe partial class Inotify
{
    public const int CloseOnExec = 0x80000; // IN_CLOEXEC, EFD_CLOEXEC
    public const int NonBlocking = 0x800; // IN_NONBLOCK, EFD_NONBLOCK

    public const uint Modify = 0x00000002;
    public const uint Attrib = 0x00000004;
    public const uint CloseWrite = 0x00000008;
    public const uint MovedFrom = 0x00000040;
    public const uint MovedTo = 0x00000080;
    public const uint Create = 0x00000100;
    public const uint Delete = 0x00000200;
    public const uint DeleteSelf = 0x00000400;
    public const uint MoveSelf = 0x00000800;
    public const uint QueueOverflow = 0x00004000;
    public const uint Ignored = 0x00008000;
    public const uint OnlyDirectory = 0x01000000;
    public const uint DontFollow = 0x02000000;
    public const uint ExcludeUnlinked = 0x04000000;
    public const uint IsDirectory = 0x40000000;

    /// <summary>Size of <c>struct inotify_event</c> before its name.</summary>
    public const int EventHeaderSize = 16;

    public const short PollIn = 0x001;

    public const int ErrorInterrupted = 4; // EINTR
    public const int ErrorAgain = 11; // EAGAIN
    public const int ErrorNoSpace = 28; // ENOSPC: out of watches (fs.inotify.max_user_watches)
    public const int ErrorTooManyFiles = 24; // EMFILE: out of instances (fs.inotify.max_user_instances)

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short ReturnedEvents;
    }

    [LibraryImport("libc", EntryPoint = "inotify_init1", SetLastError = true)]
    public static partial int Init(int flags);

    [LibraryImport(
        "libc",
        EntryPoint = "inotify_add_watch",
        SetLastError = true,
        StringMarshalling = StringMarshalling.Utf8
    )]
    public static partial int AddWatch(int fd, string path, uint mask);

    [LibraryImport("libc", EntryPoint = "inotify_rm_watch", SetLastError = true)]
    public static partial int RemoveWatch(int fd, int wd);

    [LibraryImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    public static partial int EventFd(uint initialValue, int flags);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint count, int timeoutMilliseconds);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    /// <summary>The current value of a /proc/sys/fs/inotify limit, or "?".</summary>
    public static string ReadLimit(string name)
    {
        try
        {
            return File.ReadAllText("/proc/sys/fs/inotify/" + name).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return "?";
        }
    }
}
