using System.Text;
using FileSync.Edge.Filtering;

namespace FileSync.Edge.Workspace;

/// <summary>
/// Walks a workspace tree, pruning ignored directories and never following symlinks (so a link
/// pointing out of the workspace, or a link loop, is never entered). Names are reported as the wire
/// carries them (NFC, see <see cref="DiskNames"/>); of two entries of one folder with one wire name
/// (NFC and NFD spellings, possible on ext4), one is synced and the other is named in
/// <see cref="ScanResult.NameConflicts"/>.
/// </summary>
public sealed class WorkspaceScanner(
    string rootPath,
    WorkspaceIgnoreFilter filter,
    bool? caseInsensitiveDisk = null
)
{
    private readonly bool _caseInsensitiveDisk = caseInsensitiveDisk ?? PathComparer.IgnoreCase;

    /// <summary>The disk finds a file under any case of its name (see <see cref="DiskNames.ToDiskPath"/>).</summary>
    public bool CaseInsensitiveDisk => _caseInsensitiveDisk;

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
        if (
            DiskNames.ToDiskPath(rootPath, relativeDirectory, _caseInsensitiveDisk) is not { } start
        )
        {
            return result;
        }
        var pending = new Stack<(string Directory, string FullDirectory)>();
        pending.Push((relativeDirectory, start));
        while (pending.TryPop(out var next))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (directory, fullDirectory) = next;
            var checkedNames = false;
            try
            {
                foreach (var entry in EntriesByWireName(fullDirectory, directory, result))
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
                                result.InvalidNames.Add(Join(directory, name));
                            }
                        }
                        continue;
                    }
                    var attributes = entry.Attributes;
                    if ((attributes & FileAttributes.ReparsePoint) != 0)
                    {
                        continue;
                    }
                    var relative = Join(directory, DiskNames.ToWireName(entry.Name));
                    if ((attributes & FileAttributes.Directory) != 0)
                    {
                        if (!filter.IsIgnoredEntry(relative, isDirectory: true))
                        {
                            pending.Push((relative, entry.FullName));
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

    private static string Join(string directory, string name) =>
        directory.Length == 0 ? name : string.Concat(directory, "/", name);

    /// <summary>
    /// The entries of one folder, one per wire name: a second entry with the same wire name (another
    /// Unicode form of it) is left out and named in <see cref="ScanResult.NameConflicts"/>.
    /// </summary>
    private static IEnumerable<FileSystemInfo> EntriesByWireName(
        string fullDirectory,
        string directory,
        ScanResult result
    )
    {
        var entries = new DirectoryInfo(fullDirectory).EnumerateFileSystemInfos("*", s_enumeration);
        Dictionary<string, FileSystemInfo>? formed = null;
        foreach (var entry in entries)
        {
            if (Ascii.IsValid(entry.Name) || UndecodableNames.MayBeUndecodable(entry.Name))
            {
                yield return entry;
                continue;
            }
            // Other names, even in NFC, may share their wire name with another entry's NFD spelling:
            // gathered so that every form of one name is seen before one is chosen.
            formed ??= new Dictionary<string, FileSystemInfo>(PathComparer.WireNames);
            var wire = DiskNames.ToWireName(entry.Name);
            if (formed.TryGetValue(wire, out var other))
            {
                var (kept, left) = DiskNames.Prefers(entry.Name, other.Name, wire)
                    ? (entry, other)
                    : (other, entry);
                formed[wire] = kept;
                result.NameConflicts.Add(Join(directory, DiskNames.Describe(left.Name)));
            }
            else
            {
                formed[wire] = entry;
            }
        }
        if (formed is not null)
        {
            foreach (var entry in formed.Values)
            {
                yield return entry;
            }
        }
    }
}
