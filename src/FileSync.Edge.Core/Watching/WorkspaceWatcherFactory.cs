using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Watching;

/// <summary>
/// Creates each workspace's watcher: <see cref="InotifyWorkspaceWatcher"/> on Linux,
/// <see cref="FileSystemWorkspaceWatcher"/> elsewhere.
/// </summary>
/// <param name="loggerFactory">Logs of the watchers.</param>
/// <param name="internalBufferSize">
/// The OS event buffer of a <see cref="FileSystemWorkspaceWatcher"/> (4096 is the minimum), or the read
/// buffer of an <see cref="InotifyWorkspaceWatcher"/>.
/// </param>
public sealed class WorkspaceWatcherFactory(
    ILoggerFactory loggerFactory,
    int internalBufferSize = 64 * 1024
) : IWorkspaceWatcherFactory
{
    public IWorkspaceWatcher Create(string rootPath, Func<string, bool> isExcludedDirectory) =>
        OperatingSystem.IsLinux()
            ? new InotifyWorkspaceWatcher(
                rootPath,
                isExcludedDirectory,
                loggerFactory.CreateLogger<InotifyWorkspaceWatcher>(),
                internalBufferSize
            )
            : new FileSystemWorkspaceWatcher(
                rootPath,
                loggerFactory.CreateLogger<FileSystemWorkspaceWatcher>(),
                internalBufferSize
            );
}
