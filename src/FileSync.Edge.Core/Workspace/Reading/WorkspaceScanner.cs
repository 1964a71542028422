using FileSync.Edge.Filtering;

namespace FileSync.Edge.Workspace;

/// <summary>
/// Walks a workspace tree, pruning ignored directories and never following symlinks (so a link
/// pointing out of the workspace, or a link loop, is never entered).
/// </summary>
public sealed class WorkspaceScanner(string rootPath, WorkspaceIgnoreFilter filter)
{
    private static readonly EnumerationOptions s_enumeration = new()
    {
        RecurseSubdirectories = false,
        IgnoreInaccessible = false,
        AttributesToSkip = 0,
        ReturnSpecialDirectories = false,
    };

    /// <summary>Scans the whole workspace.</summary>
    public ScanResult ScanAll(CancellationToken cancellationToken = default) =>
        Scan("", cancellationToken);

    /// <summary>
    /// Scans <paramref name="relativeDirectory"/> and everything under it. The caller has checked the
    /// directory itself is not ignored.
    /// </summary>
    public ScanResult Scan(
        string relativeDirectory,
        CancellationToken cancellationToken = default
    ) => Scan(relativeDirectory, collectIgnored: false, cancellationToken);

    /// <param name="collectIgnored">Also list the ignored files and folders met (not descended into) in the result.</param>
    public ScanResult Scan(
        string relativeDirectory,
        bool collectIgnored,
        CancellationToken cancellationToken = default
    )
    {
        var result = new ScanResult();
        var pending = new Stack<string>();
        pending.Push(relativeDirectory);
        while (pending.TryPop(out var directory))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var fullDirectory = WorkspacePaths.ToFullPath(rootPath, directory);
            var checkedNames = false;
            try
            {
                foreach (
                    var entry in new DirectoryInfo(fullDirectory).EnumerateFileSystemInfos(
                        "*",
                        s_enumeration
                    )
                )
                {
                    if (
                        UndecodableNames.MayBeUndecodable(entry.Name)
                        && FileStamp.Of(entry.FullName).Kind == FileKind.Missing
                    )
                    {
                        // Not valid UTF-8: the name cannot be opened again, nor sent. Named once per directory.
                        if (!checkedNames)
                        {
                            checkedNames = true;
                            foreach (var name in UndecodableNames.In(fullDirectory))
                            {
                                result.InvalidNames.Add(
                                    directory.Length == 0
                                        ? name
                                        : string.Concat(directory, "/", name)
                                );
                            }
                        }
                        continue;
                    }
                    var attributes = entry.Attributes;
                    if ((attributes & FileAttributes.ReparsePoint) != 0)
                    {
                        continue;
                    }
                    var relative =
                        directory.Length == 0
                            ? entry.Name
                            : string.Concat(directory, "/", entry.Name);
                    if ((attributes & FileAttributes.Directory) != 0)
                    {
                        if (!filter.IsIgnoredEntry(relative, isDirectory: true))
                        {
                            pending.Push(relative);
                        }
                        else if (collectIgnored)
                        {
                            result.IgnoredDirectories.Add(relative);
                        }
                    }
                    else if (entry is FileInfo file && (attributes & FileAttributes.Device) == 0)
                    {
                        if (!filter.IsIgnoredEntry(relative, isDirectory: false))
                        {
                            result.Files.Add(
                                new ScannedFile(relative, file.Length, file.LastWriteTimeUtc.Ticks)
                            );
                        }
                        else if (collectIgnored)
                        {
                            result.IgnoredFiles.Add(relative);
                        }
                    }
                }
            }
            catch (DirectoryNotFoundException) when (directory.Length > 0)
            {
                // Deleted while we walked: its files are handled as deletes.
            }
            catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
            {
                result.UnreadableDirectories[directory] = ex.Message;
            }
        }
        return result;
    }
}
