using System.Diagnostics;
using System.Runtime.InteropServices;

namespace FileSync.Edge.Benchmarks.Measuring;

/// <summary>
/// Tells when a mirror file holds expected bytes, using inotify on the mirror's folders (its own inotify
/// instance, nothing shared with the processes under test). Both the reference server and rsync write a
/// temporary file and rename it into place, so IN_MOVED_TO (and IN_CLOSE_WRITE, for writers that write in
/// place) on the file's folder is the moment the new bytes become visible. On each such event the file
/// is read and compared with what is expected; the arrival time is the moment the event was read, before
/// the comparison, so the verification read is not counted. Resolution: the wake-up of one blocked
/// poll(2), tens of microseconds. A file whose event was somehow missed is still caught by a fallback
/// check after 250 ms without events, counted in <see cref="FallbackHits"/> and timed at that check (at
/// most one 50 ms poll period after the change, since a change during the poll would have woken it).
/// </summary>
internal sealed unsafe class MirrorTracker : IDisposable
{
    private const uint Mask = Libc.InCloseWrite | Libc.InMovedTo | Libc.InCreate;
    private static readonly TimeSpan s_fallbackAfter = TimeSpan.FromMilliseconds(250);

    private readonly int _fd;
    private readonly Dictionary<int, string> _folders = [];
    private readonly Dictionary<string, Pending> _pending = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly Thread _thread;
    private volatile bool _stopping;
    private int _fallbackHits;
    private int _overflows;
    private int _intermediate;

    public MirrorTracker(string root)
    {
        _fd = Libc.InotifyInit(Libc.InCloexec | Libc.InNonblock);
        if (_fd < 0)
        {
            throw new IOException($"inotify_init1 failed: errno {Marshal.GetLastPInvokeError()}");
        }
        Directory.CreateDirectory(root);
        AddWatch(root);
        foreach (
            var folder in Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories)
        )
        {
            AddWatch(folder);
        }
        _thread = new Thread(Loop) { IsBackground = true, Name = "mirror-tracker" };
        _thread.Start();
    }

    /// <summary>Arrivals seen only by the fallback check (0 in a healthy run).</summary>
    public int FallbackHits => Volatile.Read(ref _fallbackHits);

    /// <summary>
    /// Times an expected file was written in the mirror with other bytes than expected (an intermediate
    /// version, such as the empty file between an editor's truncate and its write).
    /// </summary>
    public int IntermediateVersions => Volatile.Read(ref _intermediate);

    /// <summary>Kernel queue overflows of the tracker's own inotify instance (0 in a healthy run).</summary>
    public int Overflows => Volatile.Read(ref _overflows);

    /// <summary>
    /// Registers that <paramref name="fullPath"/> must come to hold <paramref name="content"/>. Call it
    /// before making the change. The task yields the Stopwatch timestamp of the arrival.
    /// </summary>
    public Task<long> Expect(string fullPath, byte[] content)
    {
        var pending = new Pending(content);
        lock (_gate)
        {
            _pending[fullPath] = pending;
        }
        return pending.Arrived.Task;
    }

    private void AddWatch(string folder)
    {
        var wd = Libc.InotifyAddWatch(_fd, folder, Mask);
        if (wd < 0)
        {
            throw new IOException(
                $"inotify_add_watch({folder}) failed: errno {Marshal.GetLastPInvokeError()}"
            );
        }
        lock (_gate)
        {
            _folders[wd] = folder;
        }
    }

    private void Loop()
    {
        var buffer = new byte[256 * 1024];
        var lastEvent = Stopwatch.GetTimestamp();
        var poll = new Libc.PollFd { Fd = _fd, Events = Libc.PollIn };
        while (!_stopping)
        {
            var ready = Libc.Poll(&poll, 1, 50);
            if (ready <= 0)
            {
                if (Stopwatch.GetElapsedTime(lastEvent) >= s_fallbackAfter)
                {
                    // A file renamed into place since poll returned is an event, not a missed one: read
                    // what is queued first, so the fallback only counts files whose event never came.
                    if (!DrainEvents(buffer, Stopwatch.GetTimestamp()))
                    {
                        CheckAllPending();
                    }
                    lastEvent = Stopwatch.GetTimestamp();
                }
                continue;
            }
            var now = Stopwatch.GetTimestamp();
            lastEvent = now;
            DrainEvents(buffer, now);
        }
    }

    /// <summary>Reads and handles every queued event (the descriptor is non-blocking); false when there was none.</summary>
    private bool DrainEvents(byte[] buffer, long timestamp)
    {
        var any = false;
        while (true)
        {
            nint length;
            fixed (byte* start = buffer)
            {
                length = Libc.Read(_fd, start, buffer.Length);
            }
            if (length <= 0)
            {
                return any;
            }
            any = true;
            ParseEvents(buffer.AsSpan(0, (int)length), timestamp);
        }
    }

    private void ParseEvents(ReadOnlySpan<byte> events, long timestamp)
    {
        var offset = 0;
        while (offset + 16 <= events.Length)
        {
            var wd = BitConverter.ToInt32(events[offset..]);
            var mask = BitConverter.ToUInt32(events[(offset + 4)..]);
            var nameLength = (int)BitConverter.ToUInt32(events[(offset + 12)..]);
            var name = events.Slice(offset + 16, nameLength);
            var end = name.IndexOf((byte)0);
            var fileName = System.Text.Encoding.UTF8.GetString(end < 0 ? name : name[..end]);
            offset += 16 + nameLength;

            if ((mask & Libc.InQueueOverflow) != 0)
            {
                Interlocked.Increment(ref _overflows);
                CheckAllPending();
                continue;
            }
            string? folder;
            lock (_gate)
            {
                _folders.TryGetValue(wd, out folder);
            }
            if (folder is null || fileName.Length == 0)
            {
                continue;
            }
            var fullPath = Path.Join(folder, fileName);
            if ((mask & Libc.InIsDirectory) != 0)
            {
                if ((mask & (Libc.InCreate | Libc.InMovedTo)) != 0)
                {
                    AddWatch(fullPath);
                }
                continue;
            }
            if ((mask & (Libc.InCloseWrite | Libc.InMovedTo)) != 0)
            {
                Check(fullPath, timestamp, fallback: false);
            }
        }
    }

    private void CheckAllPending()
    {
        List<string> paths;
        lock (_gate)
        {
            paths = [.. _pending.Keys];
        }
        foreach (var path in paths)
        {
            Check(path, Stopwatch.GetTimestamp(), fallback: true);
        }
    }

    private void Check(string fullPath, long timestamp, bool fallback)
    {
        Pending? pending;
        lock (_gate)
        {
            if (!_pending.TryGetValue(fullPath, out pending))
            {
                return;
            }
        }
        byte[] actual;
        try
        {
            actual = File.ReadAllBytes(fullPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return;
        }
        if (!actual.AsSpan().SequenceEqual(pending.Content))
        {
            if (!fallback)
            {
                Interlocked.Increment(ref _intermediate);
            }
            return;
        }
        lock (_gate)
        {
            if (!_pending.Remove(fullPath, out var current) || current != pending)
            {
                return;
            }
        }
        if (fallback)
        {
            Interlocked.Increment(ref _fallbackHits);
        }
        pending.Arrived.TrySetResult(timestamp);
    }

    public void Dispose()
    {
        _stopping = true;
        _thread.Join();
        Libc.Close(_fd);
        lock (_gate)
        {
            foreach (var pending in _pending.Values)
            {
                pending.Arrived.TrySetCanceled();
            }
            _pending.Clear();
        }
    }

    private sealed class Pending(byte[] content)
    {
        public byte[] Content { get; } = content;
        public TaskCompletionSource<long> Arrived { get; } =
            new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
