using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text;
using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Watching;

/// <summary>
/// <see cref="IWorkspaceWatcher"/> on Linux, straight over inotify: one instance per workspace, one
/// watch per directory that is not excluded (ignored folders such as <c>node_modules</c> and
/// <c>.git</c> cost no watch and raise no events), read by one thread.
/// </summary>
/// <remarks>
/// <para>
/// Why not <see cref="FileSystemWatcher"/>: under heavy churn (directories created, renamed and
/// deleted by the hundred) the .NET 10 implementation was seen to drop every watch, the root's
/// included, without raising <c>Error</c>, leaving the workspace silently unwatched. Here every
/// watch is ours to account for.
/// </para>
/// <para>
/// A new directory is watched (with everything under it) before it is reported, so whatever the
/// receiver then finds in it by scanning, and whatever changes after, is covered. A directory moved
/// away loses its watches; moved in, it gains them. On a queue overflow the tree is walked again for
/// directories that lack a watch and <see cref="Error"/> asks the receiver to rescan.
/// </para>
/// </remarks>
[SupportedOSPlatform("linux")]
public sealed partial class InotifyWorkspaceWatcher : IWorkspaceWatcher
{
    private const uint ChildEvents =
        Inotify.Modify
        | Inotify.Attrib
        | Inotify.CloseWrite
        | Inotify.MovedFrom
        | Inotify.MovedTo
        | Inotify.Create
        | Inotify.Delete;

    private const uint WatchMask =
        ChildEvents
        | Inotify.DeleteSelf
        | Inotify.MoveSelf
        | Inotify.OnlyDirectory
        | Inotify.ExcludeUnlinked;

    private static readonly EnumerationOptions s_subdirectories = new()
    {
        RecurseSubdirectories = false,
        IgnoreInaccessible = true,
        AttributesToSkip = FileAttributes.ReparsePoint, // symlinks are never followed
        ReturnSpecialDirectories = false,
    };

    private readonly string _root;
    private readonly Func<string, bool> _isExcludedDirectory;
    private readonly ILogger _logger;
    private readonly int _readBufferSize;
    private readonly Lock _gate = new();
    private readonly Dictionary<int, string> _pathByWatch = [];
    private readonly Dictionary<string, int> _watchByPath = new(StringComparer.Ordinal);
    private int _inotify = -1;
    private int _wakeup = -1;
    private int _rootWatch = -1;
    private Thread? _thread;
    private volatile bool _disposed;

    /// <param name="rootPath">The workspace root (absolute).</param>
    /// <param name="isExcludedDirectory">
    /// Whether a directory (given relative to the root, '/'-separated) is excluded and needs no watch.
    /// Asked again for every directory on <see cref="Refresh"/>.
    /// </param>
    /// <param name="logger">Where watch failures go.</param>
    /// <param name="readBufferSize">Bytes read from inotify at a time.</param>
    public InotifyWorkspaceWatcher(
        string rootPath,
        Func<string, bool> isExcludedDirectory,
        ILogger logger,
        int readBufferSize = 64 * 1024
    )
    {
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(rootPath));
        _isExcludedDirectory = isExcludedDirectory;
        _logger = logger;
        _readBufferSize = Math.Max(readBufferSize, Inotify.EventHeaderSize + 256);
    }

    public event Action<string>? Changed;
    public event Action<string>? Completed;
    public event Action<Exception>? Error;

    /// <summary>How many directories are watched now.</summary>
    public int WatchCount
    {
        get
        {
            lock (_gate)
            {
                return _pathByWatch.Count;
            }
        }
    }

    /// <summary>The inotify descriptor, -1 once closed (tests).</summary>
    internal int InstanceHandle => _inotify;

    /// <summary>Whether the reading thread runs (tests).</summary>
    internal bool IsReading => _thread?.IsAlive == true;

    public void Start()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_thread is not null)
            {
                return;
            }
            _inotify = Inotify.Init(Inotify.CloseOnExec | Inotify.NonBlocking);
            if (_inotify < 0)
            {
                throw LastError("inotify_init1");
            }
            _wakeup = Inotify.EventFd(0, Inotify.CloseOnExec | Inotify.NonBlocking);
            if (_wakeup < 0)
            {
                var error = LastError("eventfd");
                CloseHandles();
                throw error;
            }
            try
            {
                _rootWatch =
                    AddWatch(_root, isRoot: true)
                    ?? throw new DirectoryNotFoundException(
                        $"Cannot watch {_root}: it is not a readable directory"
                    );
                if (WatchTree(_root) is { } failure)
                {
                    throw failure;
                }
            }
            catch
            {
                CloseHandles();
                throw;
            }
            _thread = new Thread(ReadLoop) { IsBackground = true, Name = "FileSync inotify" };
            _thread.Start();
        }
    }

    /// <summary>
    /// The exclusion rules changed (an ignore file was edited): watch every directory that is not
    /// excluded now, and drop the watches of those that are.
    /// </summary>
    public void Refresh()
    {
        Exception? failure;
        lock (_gate)
        {
            if (_disposed || _thread is null)
            {
                return;
            }
            foreach (var (path, watch) in _watchByPath.ToList())
            {
                if (watch != _rootWatch && _pathByWatch.ContainsKey(watch) && IsExcluded(path))
                {
                    ForgetTree(path);
                }
            }
            failure = WatchTree(_root);
        }
        if (failure is not null)
        {
            Error?.Invoke(failure);
        }
    }

    /// <summary>Adds one watch; null when the directory is gone, not a directory, unreadable or excluded.</summary>
    private int? AddWatch(string directory, bool isRoot)
    {
        if (!isRoot && IsExcluded(directory))
        {
            return null;
        }
        var watch = Inotify.AddWatch(
            _inotify,
            directory,
            isRoot ? WatchMask : WatchMask | Inotify.DontFollow
        );
        if (watch < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno == Inotify.ErrorNoSpace)
            {
                throw WatchLimitError();
            }
            // Gone, replaced by a file or a link, or unreadable: its parent's events and the owner's
            // scans cover it (an unreadable directory is watched again once the owner sees it readable).
            return null;
        }
        if (_pathByWatch.TryGetValue(watch, out var previous) && previous != directory)
        {
            // The same directory under another name (moved before we saw the move): the new name wins.
            _watchByPath.Remove(previous);
        }
        _pathByWatch[watch] = directory;
        _watchByPath[directory] = watch;
        return watch;
    }

    /// <summary>Watches every not excluded directory under <paramref name="top"/> (already watched itself). Returns a watch-limit error.</summary>
    private IOException? WatchTree(string top)
    {
        var pending = new Stack<string>();
        pending.Push(top);
        try
        {
            while (pending.TryPop(out var directory))
            {
                IEnumerable<string> children;
                try
                {
                    children = Directory
                        .EnumerateDirectories(directory, "*", s_subdirectories)
                        .ToList();
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    continue; // vanished or unreadable meanwhile
                }
                foreach (var child in children)
                {
                    // Watch before descending: a grandchild created after the listing raises an event here.
                    if (AddWatch(child, isRoot: false) is not null)
                    {
                        pending.Push(child);
                    }
                }
            }
            return null;
        }
        catch (WatchLimitException ex)
        {
            return ex;
        }
    }

    /// <summary>Drops the watches of a directory that moved away and of everything under it.</summary>
    private void ForgetTree(string directory)
    {
        var prefix = directory + "/";
        foreach (var (path, watch) in _watchByPath.ToList())
        {
            if (path == directory || path.StartsWith(prefix, StringComparison.Ordinal))
            {
                Inotify.RemoveWatch(_inotify, watch);
                Forget(watch);
            }
        }
    }

    private void Forget(int watch)
    {
        if (
            _pathByWatch.Remove(watch, out var path)
            && _watchByPath.TryGetValue(path, out var current)
            && current == watch
        )
        {
            _watchByPath.Remove(path);
        }
    }

    private bool IsExcluded(string directory)
    {
        try
        {
            return _isExcludedDirectory(RelativePath(directory));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false; // an unreadable ignore file: watching too much is harmless
        }
    }

    private string RelativePath(string directory) =>
        directory.Length <= _root.Length ? "" : directory[(_root.Length + 1)..];

    private static IOException LastError(string call)
    {
        var errno = Marshal.GetLastPInvokeError();
        return errno == Inotify.ErrorTooManyFiles
            ? new WatchLimitException(
                $"The inotify instance limit is reached (fs.inotify.max_user_instances = {Inotify.ReadLimit("max_user_instances")})"
            )
            : new IOException($"{call} failed (errno {errno})");
    }

    private static WatchLimitException WatchLimitError() =>
        new(
            $"The inotify watch limit is reached (fs.inotify.max_user_watches = {Inotify.ReadLimit("max_user_watches")})"
        );

    private unsafe void Wake()
    {
        ulong one = 1;
        Inotify.Write(_wakeup, (byte*)&one, sizeof(ulong));
    }

    private void CloseHandles()
    {
        if (_inotify >= 0)
        {
            Inotify.Close(_inotify);
            _inotify = -1;
        }
        if (_wakeup >= 0)
        {
            Inotify.Close(_wakeup);
            _wakeup = -1;
        }
        _pathByWatch.Clear();
        _watchByPath.Clear();
    }

    public void Dispose()
    {
        Thread? thread;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            thread = _thread;
            if (thread is null)
            {
                CloseHandles();
                return;
            }
            Wake();
        }
        if (thread != Thread.CurrentThread)
        {
            thread.Join(); // it closes the handles on its way out
        }
    }

    private static partial class Log
    {
        [LoggerMessage(
            202,
            LogLevel.Warning,
            "Watcher of {Root} stopped ({Reason}); the workspace will be rescanned",
            EventName = "InotifyFailed"
        )]
        public static partial void WatcherFailed(ILogger logger, string root, string reason);
    }
}
