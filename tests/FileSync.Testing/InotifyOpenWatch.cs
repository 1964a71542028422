using System.Runtime.InteropServices;
using System.Text;

namespace FileSync.Testing;

/// <summary>
/// Counts every open and read of watched files and directories, by any process, with Linux inotify
/// (<c>IN_OPEN | IN_ACCESS</c>). The kernel queues the events until <see cref="ReadEvents"/>, so
/// even an open that lasts a microsecond is seen; a <c>stat</c> is not an open and is not counted.
/// Unlike an access time (relatime or noatime mounts may not update it), this cannot miss a read.
/// Use <see cref="ProveWorks"/> first: a check that cannot fail proves nothing.
/// </summary>
public sealed class InotifyOpenWatch : IDisposable
{
    private readonly int _fd;
    private readonly Dictionary<int, string> _watches = [];

    public InotifyOpenWatch()
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("inotify is Linux only");
        }
        _fd = Libc.InotifyInit(Libc.InNonblock | Libc.InCloexec);
        if (_fd < 0)
        {
            throw new IOException($"inotify_init1 failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    public static bool IsSupported => OperatingSystem.IsLinux();

    /// <summary>Watches a file (its inode, whatever path opens it) or a directory (itself and its entries).</summary>
    public void Add(string path)
    {
        var wd = Libc.InotifyAddWatch(_fd, path, Libc.InOpen | Libc.InAccess);
        if (wd < 0)
        {
            throw new IOException(
                $"inotify_add_watch({path}) failed: errno {Marshal.GetLastPInvokeError()}"
            );
        }
        _watches[wd] = path;
    }

    /// <summary>
    /// Opens and reads <paramref name="controlFile"/> (a watched file, or a file in a watched directory,
    /// that is not the canary) and requires the watch to report it; then forgets those events.
    /// </summary>
    public void ProveWorks(string controlFile)
    {
        ReadEvents();
        _ = File.ReadAllBytes(controlFile);
        var seen = ReadEvents();
        if (seen.Count == 0)
        {
            throw new InvalidOperationException(
                $"the inotify watch did not report reading {controlFile}; it would not notice the canary being read either"
            );
        }
    }

    /// <summary>Drains the queued events: "OPEN /path/name" or "ACCESS /path/name" lines.</summary>
    public List<string> ReadEvents()
    {
        var events = new List<string>();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var read = Libc.Read(_fd, buffer);
            if (read < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Libc.EAgain)
                {
                    return events;
                }
                throw new IOException($"reading inotify events failed: errno {errno}");
            }
            var offset = 0;
            while (offset + 16 <= read)
            {
                var wd = BitConverter.ToInt32(buffer, offset);
                var mask = BitConverter.ToUInt32(buffer, offset + 4);
                var nameLength = BitConverter.ToInt32(buffer, offset + 12);
                var name = Encoding.UTF8.GetString(buffer, offset + 16, nameLength).TrimEnd('\0');
                var kind =
                    (mask & Libc.InQueueOverflow) != 0 ? "OVERFLOW"
                    : (mask & Libc.InOpen) != 0 ? "OPEN"
                    : "ACCESS";
                events.Add(
                    $"{kind} {_watches.GetValueOrDefault(wd, "?")}{(name.Length > 0 ? "/" + name : "")}"
                );
                offset += 16 + nameLength;
            }
        }
    }

    public void Dispose() => _ = Libc.Close(_fd);
}
