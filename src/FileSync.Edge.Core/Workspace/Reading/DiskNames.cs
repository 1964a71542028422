using System.Globalization;
using System.Text;

namespace FileSync.Edge.Workspace;

/// <summary>
/// Between the names on disk and the names on the wire. The wire carries every name in Unicode NFC
/// and with its exact case; a disk may hold the name in another form (macOS and HFS+ hand back NFD)
/// and may find a file under any case of its name (NTFS, APFS). <see cref="ToDiskPath"/> finds the
/// entry a wire name stands for — or none, when only another spelling is there (the old name of a
/// case-only rename still "exists" on a case-insensitive disk, but it is gone from the wire).
/// </summary>
public static class DiskNames
{
    private static readonly EnumerationOptions s_oneDirectory = new()
    {
        RecurseSubdirectories = false,
        IgnoreInaccessible = true,
        AttributesToSkip = 0,
        ReturnSpecialDirectories = false,
        MatchCasing = MatchCasing.CaseInsensitive,
        MatchType = MatchType.Simple,
    };

    /// <summary>The wire name of a name read from disk: its NFC form.</summary>
    public static string ToWireName(string diskName) => UnicodeNfc.Normalize(diskName);

    /// <summary>True when <paramref name="name"/> is already in the wire's form (NFC).</summary>
    public static bool IsWireForm(string name) =>
        Ascii.IsValid(name) || UnicodeNfc.Normalize(name) == name;

    /// <summary>
    /// Of several disk names with one wire name, the one that is synced: the name already in NFC, else
    /// the first in ordinal order (the same choice as <see cref="ToDiskPath"/>).
    /// </summary>
    public static bool Prefers(string diskName, string otherDiskName, string wireName) =>
        diskName == wireName
        || (otherDiskName != wireName && string.CompareOrdinal(diskName, otherDiskName) < 0);

    /// <summary>
    /// The full disk path of the entry <paramref name="relativePath"/> (a wire name) stands for, or null
    /// when no entry has that exact wire name: a name not in NFC (never a wire name), or only another
    /// case of it on a case-insensitive disk. Touches the disk only where it must: on a
    /// case-sensitive disk, for a non-ASCII name not found as it is.
    /// </summary>
    /// <param name="caseInsensitiveDisk">The disk finds a file under any case of its name (<see cref="PathComparer.IgnoreCase"/>): every segment's spelling is checked.</param>
    public static string? ToDiskPath(string rootPath, string relativePath, bool caseInsensitiveDisk)
    {
        if (relativePath.Length == 0)
        {
            return rootPath;
        }
        if (!IsWireForm(relativePath))
        {
            return null;
        }
        var direct = WorkspacePaths.ToFullPath(rootPath, relativePath);
        if (!caseInsensitiveDisk && (Ascii.IsValid(relativePath) || Path.Exists(direct)))
        {
            return direct;
        }
        var current = rootPath;
        foreach (var segment in relativePath.Split('/'))
        {
            var name = FindEntry(current, segment, caseInsensitiveDisk);
            if (name is null)
            {
                return null;
            }
            current = Path.Join(current, name);
        }
        return current;
    }

    /// <summary>
    /// For a look-up by name (server commands, local queries): the entry under the wire name (an NFD
    /// name on disk is found under its NFC spelling), else the path as given.
    /// </summary>
    public static string Find(string rootPath, string relativePath) =>
        ToDiskPath(rootPath, relativePath, caseInsensitiveDisk: false)
        ?? WorkspacePaths.ToFullPath(rootPath, relativePath);

    /// <summary>
    /// A disk name shown where its wire name would be ambiguous: every combining mark as <c>\uXXXX</c>
    /// (<c>cafe\u0301.txt</c>).
    /// </summary>
    public static string Describe(string diskName)
    {
        var text = new StringBuilder(diskName.Length + 8);
        foreach (var c in diskName)
        {
            if (
                c > 0x7F
                && CharUnicodeInfo.GetUnicodeCategory(c)
                    is UnicodeCategory.NonSpacingMark
                        or UnicodeCategory.SpacingCombiningMark
                        or UnicodeCategory.EnclosingMark
            )
            {
                text.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
            }
            else
            {
                text.Append(c);
            }
        }
        return text.ToString();
    }

    /// <summary>The name of the entry in <paramref name="directory"/> whose wire name is <paramref name="wireName"/>.</summary>
    private static string? FindEntry(string directory, string wireName, bool caseInsensitiveDisk)
    {
        try
        {
            if (OperatingSystem.IsWindows() && wireName.AsSpan().IndexOfAny('*', '?') < 0)
            {
                // A name without wildcards is one lookup (FindFirstFile), which returns the stored spelling.
                foreach (
                    var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos(
                        wireName,
                        s_oneDirectory
                    )
                )
                {
                    if (entry.Name == wireName)
                    {
                        return entry.Name;
                    }
                }
                if (Ascii.IsValid(wireName))
                {
                    return null;
                }
            }
            else if (!caseInsensitiveDisk && Ascii.IsValid(wireName))
            {
                return Path.Exists(Path.Join(directory, wireName)) ? wireName : null;
            }
            string? chosen = null;
            foreach (
                var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos(
                    "*",
                    s_oneDirectory
                )
            )
            {
                var name = entry.Name;
                if (name == wireName)
                {
                    return name;
                }
                if (
                    !Ascii.IsValid(name)
                    && ToWireName(name) == wireName
                    && (chosen is null || Prefers(name, chosen, wireName))
                )
                {
                    chosen = name;
                }
            }
            return chosen;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
