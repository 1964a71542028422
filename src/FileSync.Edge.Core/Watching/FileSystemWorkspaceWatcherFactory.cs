using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Watching;

/// <summary>Creates <see cref="FileSystemWorkspaceWatcher"/>s.</summary>
/// <param name="loggerFactory">Logs of the watchers.</param>
/// <param name="internalBufferSize">The OS event buffer of each watcher (4096 is the minimum; tests use it to provoke overflows).</param>
public sealed class FileSystemWorkspaceWatcherFactory(ILoggerFactory loggerFactory, int internalBufferSize = 64 * 1024) : IWorkspaceWatcherFactory
{
    public IWorkspaceWatcher Create(string rootPath) =>
        new FileSystemWorkspaceWatcher(rootPath, loggerFactory.CreateLogger<FileSystemWorkspaceWatcher>(), internalBufferSize);
}
