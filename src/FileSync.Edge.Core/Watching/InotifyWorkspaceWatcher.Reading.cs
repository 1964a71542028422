using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text;

namespace FileSync.Edge.Watching;

/// <summary>The reader thread: waiting for events and turning them into watches and change notifications.</summary>
public sealed partial class InotifyWorkspaceWatcher
{
    private void ReadLoop()
    {
        var buffer = new byte[_readBufferSize];
        try
        {
            while (!_disposed)
            {
                if (!WaitReadable())
                {
                    break;
                }
                int read;
                unsafe
                {
                    fixed (byte* start = buffer)
                    {
                        read = (int)Inotify.Read(_inotify, start, buffer.Length);
                    }
                }
                if (read < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno is Inotify.ErrorAgain or Inotify.ErrorInterrupted)
                    {
                        continue;
                    }
                    throw new IOException($"Reading inotify events failed (errno {errno})");
                }
                Dispatch(buffer.AsSpan(0, read));
            }
        }
        catch (Exception ex) when (!_disposed)
        {
            Log.WatcherFailed(_logger, _root, ex.Message);
            Error?.Invoke(ex);
        }
        finally
        {
            lock (_gate)
            {
                CloseHandles();
            }
        }
    }

    /// <summary>Blocks until events are ready (true) or <see cref="Dispose"/> was called (false).</summary>
    private unsafe bool WaitReadable()
    {
        var fds = stackalloc Inotify.PollFd[2];
        fds[0] = new Inotify.PollFd { Fd = _inotify, Events = Inotify.PollIn };
        fds[1] = new Inotify.PollFd { Fd = _wakeup, Events = Inotify.PollIn };
        while (true)
        {
            var ready = Inotify.Poll(fds, 2, -1);
            if (ready < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Inotify.ErrorInterrupted)
                {
                    continue;
                }
                throw new IOException($"Waiting for inotify events failed (errno {errno})");
            }
            if (_disposed || fds[1].ReturnedEvents != 0)
            {
                return false;
            }
            if (fds[0].ReturnedEvents != 0)
            {
                return true;
            }
        }
    }

    private void Dispatch(ReadOnlySpan<byte> events)
    {
        var overflowed = false;
        Exception? failure = null;
        var changed = new List<(string Path, bool Completed)>();
        lock (_gate)
        {
            while (events.Length >= Inotify.EventHeaderSize)
            {
                var watch = MemoryMarshal.Read<int>(events);
                var mask = MemoryMarshal.Read<uint>(events[4..]);
                var nameLength = (int)MemoryMarshal.Read<uint>(events[12..]);
                var nameBytes = events.Slice(
                    Inotify.EventHeaderSize,
                    Math.Min(nameLength, events.Length - Inotify.EventHeaderSize)
                );
                var terminator = nameBytes.IndexOf((byte)0);
                var name = Encoding.UTF8.GetString(
                    terminator < 0 ? nameBytes : nameBytes[..terminator]
                );
                events = events[Math.Min(events.Length, Inotify.EventHeaderSize + nameLength)..];

                if ((mask & Inotify.QueueOverflow) != 0)
                {
                    overflowed = true;
                    continue;
                }
                if (!_pathByWatch.TryGetValue(watch, out var directory))
                {
                    continue; // a watch we already dropped
                }
                if ((mask & (Inotify.Ignored | Inotify.DeleteSelf | Inotify.MoveSelf)) != 0)
                {
                    if (watch == _rootWatch)
                    {
                        failure ??= new DirectoryNotFoundException(
                            $"The workspace folder {_root} was removed or moved"
                        );
                    }
                    if ((mask & Inotify.Ignored) != 0 || watch != _rootWatch)
                    {
                        // Its parent reports the deletion or move; a moved directory is re-watched where it lands.
                        Inotify.RemoveWatch(_inotify, watch);
                        Forget(watch);
                    }
                    continue;
                }
                var path = name.Length == 0 ? directory : directory + "/" + name;
                var isDirectory = (mask & Inotify.IsDirectory) != 0;
                if (isDirectory)
                {
                    try
                    {
                        if (
                            (mask & (Inotify.Create | Inotify.MovedTo)) != 0
                            && AddWatch(path, isRoot: false) is not null
                        )
                        {
                            failure ??= WatchTree(path);
                        }
                        else if ((mask & Inotify.MovedFrom) != 0)
                        {
                            ForgetTree(path);
                        }
                    }
                    catch (WatchLimitException ex)
                    {
                        failure ??= ex;
                    }
                }
                // Closed after writing, renamed into place, deleted, chmod-ed: nothing more to wait for.
                // A file created or written to (and a new directory) may still be in the making.
                var completed = isDirectory
                    ? (mask & (Inotify.Delete | Inotify.MovedFrom)) != 0
                    : (
                        mask
                        & (
                            Inotify.CloseWrite
                            | Inotify.MovedTo
                            | Inotify.MovedFrom
                            | Inotify.Delete
                            | Inotify.Attrib
                        )
                    ) != 0;
                changed.Add((path, completed));
            }
            if (overflowed)
            {
                failure ??= WatchTree(_root);
            }
        }
        foreach (var (path, completed) in changed)
        {
            (completed ? Completed : Changed)?.Invoke(path);
        }
        if (failure is not null)
        {
            Error?.Invoke(failure);
        }
        else if (overflowed)
        {
            Error?.Invoke(
                new InternalBufferOverflowException(
                    $"Too many changes at once under {_root}; some events were lost"
                )
            );
        }
    }
}
