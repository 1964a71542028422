using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Watching;

/// <summary>
/// <see cref="IWorkspaceWatcher"/> over <see cref="FileSystemWatcher"/>. On <c>Error</c> (buffer
/// overflow, inotify failure) it disposes and recreates the underlying watcher and reports the error so
/// the workspace is rescanned.
/// </summary>
public sealed partial class FileSystemWorkspaceWatcher(
    string rootPath,
    ILogger logger,
    int internalBufferSize = 64 * 1024
) : IWorkspaceWatcher
{
    private readonly Lock _gate = new();
    private FileSystemWatcher? _watcher;
    private volatile bool _disposed;

    public event Action<string>? Changed;
    public event Action<Exception>? Error;

    public void Start()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _watcher ??= CreateWatcher();
        }
    }

    private FileSystemWatcher CreateWatcher()
    {
        var watcher = new FileSystemWatcher(rootPath)
        {
            IncludeSubdirectories = true,
            InternalBufferSize = internalBufferSize,
            NotifyFilter =
                NotifyFilters.FileName
                | NotifyFilters.DirectoryName
                | NotifyFilters.LastWrite
                | NotifyFilters.Size
                | NotifyFilters.CreationTime
                | NotifyFilters.Attributes
                | NotifyFilters.Security,
        };
        watcher.Created += OnEvent;
        watcher.Changed += OnEvent;
        watcher.Deleted += OnEvent;
        watcher.Renamed += OnRenamed;
        watcher.Error += OnError;
        try
        {
            watcher.EnableRaisingEvents = true;
        }
        catch (IOException ex) when (IsLimit(ex))
        {
            watcher.Dispose();
            throw new WatchLimitException(ex.Message, ex);
        }
        return watcher;
    }

    /// <summary>
    /// .NET's watcher on Linux reports inotify's limits as an <see cref="IOException"/> carrying the errno
    /// (ENOSPC for watches, EMFILE for instances): typed here so callers never look at the text.
    /// </summary>
    private static bool IsLimit(Exception ex) =>
        OperatingSystem.IsLinux()
        && ex is IOException { HResult: Inotify.ErrorNoSpace or Inotify.ErrorTooManyFiles };

    private void OnEvent(object sender, FileSystemEventArgs e)
    {
        if (!_disposed)
        {
            Changed?.Invoke(e.FullPath);
        }
    }

    private void OnRenamed(object sender, RenamedEventArgs e)
    {
        if (!_disposed)
        {
            Changed?.Invoke(e.OldFullPath);
            Changed?.Invoke(e.FullPath);
        }
    }

    private void OnError(object sender, ErrorEventArgs e)
    {
        if (_disposed)
        {
            return;
        }
        var exception = e.GetException();
        if (IsLimit(exception))
        {
            exception = new WatchLimitException(exception.Message, exception);
        }
        Log.WatcherError(logger, rootPath, exception.Message);
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            var old = _watcher;
            _watcher = null;
            if (old is not null)
            {
                old.EnableRaisingEvents = false;
                old.Dispose();
            }
            try
            {
                _watcher = CreateWatcher();
            }
            catch (Exception ex)
                when (ex is IOException or UnauthorizedAccessException or ArgumentException)
            {
                // Root gone or watch limit reached: the owner falls back to rescans.
                Log.WatcherRecreateFailed(logger, rootPath, ex.Message);
                Error?.Invoke(ex);
                return;
            }
        }
        Error?.Invoke(exception);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            _watcher?.Dispose();
            _watcher = null;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(
            200,
            LogLevel.Warning,
            "Watcher of {Root} failed ({Reason}); recreated it, the workspace will be rescanned",
            EventName = "WatcherError"
        )]
        public static partial void WatcherError(ILogger logger, string root, string reason);

        [LoggerMessage(
            201,
            LogLevel.Warning,
            "Watcher of {Root} could not be recreated ({Reason}); falling back to periodic rescans",
            EventName = "WatcherRecreateFailed"
        )]
        public static partial void WatcherRecreateFailed(
            ILogger logger,
            string root,
            string reason
        );
    }
}
