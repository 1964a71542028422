using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Watching;

/// <summary>Creates <see cref="FileSystemWorkspaceWatcher"/>s.</summary>
public sealed class FileSystemWorkspaceWatcherFactory(ILoggerFactory loggerFactory) : IWorkspaceWatcherFactory
{
    public IWorkspaceWatcher Create(string rootPath) =>
        new FileSystemWorkspaceWatcher(rootPath, loggerFactory.CreateLogger<FileSystemWorkspaceWatcher>());
}
