using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Watching;

/// <summary>
/// Creates each workspace's watcher: <see cref="InotifyWorkspaceWatcher"/> on Linux,
/// <see cref="FileSystemWorkspaceWatcher"/> elsewhere (the portable watcher, which macOS uses), or
/// on Linux too when <see cref="WatcherVariable"/> is <c>portable</c> (CI runs the end-to-end tests
/// with it, so the watcher of macOS is exercised where macOS cannot run).
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
    /// <summary>The environment variable that forces the portable watcher (value <c>portable</c>; read once).</summary>
    public const string WatcherVariable = "FILESYNC_WATCHER";

    /// <summary>True when the portable watcher is used on Linux too (<see cref="WatcherVariable"/>).</summary>
    public static bool PortableForced { get; } =
        Environment.GetEnvironmentVariable(WatcherVariable) == "portable";

    public IWorkspaceWatcher Create(string rootPath, Func<string, bool> isExcludedDirectory) =>
        OperatingSystem.IsLinux() && !PortableForced
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
