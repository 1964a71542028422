using System.Globalization;
using System.IO.MemoryMappedFiles;
using System.Runtime.Versioning;
using FileSync.Edge.Tests.Infrastructure;
using FileSync.Edge.Workspace;
using FileSync.Testing;

namespace FileSync.Edge.Tests.Workspace;

[SupportedOSPlatform("linux")]
public sealed class ResidentCodePagesTests
{
    private const int FileBytes = 4 * 1024 * 1024;

    [LinuxFact("reads /proc/self/smaps and calls madvise (Linux)")]
    public void Release_TakesTheChosenReadOnlyMappingOutOfTheResidentSet()
    {
        using var folder = new TempDirectory();
        var path = Path.Join(folder.Path, "code.bin");
        using (var file = new FileStream(path, FileMode.CreateNew))
        {
            file.Write(new byte[FileBytes]);
            file.Flush(flushToDisk: true);
        }
        using var mapped = MemoryMappedFile.CreateFromFile(
            path,
            FileMode.Open,
            null,
            0,
            MemoryMappedFileAccess.Read
        );
        using var view = mapped.CreateViewAccessor(0, FileBytes, MemoryMappedFileAccess.Read);
        long sum = 0;
        for (var offset = 0; offset < FileBytes; offset += 4096)
        {
            sum += view.ReadByte(offset);
        }
        Assert.Equal(0, sum);
        var before = ResidentKilobytes(path);
        Assert.True(before >= FileBytes / 1024 / 2, $"the touched mapping holds only {before} KB");

        var advised = ResidentCodePages.Release(candidate => candidate == path);

        Assert.True(advised >= FileBytes, $"advised {advised} bytes of a {FileBytes}-byte mapping");
        var after = ResidentKilobytes(path);
        Assert.True(after < before / 4, $"still resident: {after} KB of {before} KB");
    }

    [LinuxFact("reads /proc/self/smaps and calls madvise (Linux)")]
    public void Release_LeavesMappingsItWasNotAskedAbout()
    {
        Assert.Equal(0, ResidentCodePages.Release(_ => false));
    }

    /// <summary>Resident kilobytes of every mapping of <paramref name="path"/>, from /proc/self/smaps.</summary>
    private static long ResidentKilobytes(string path)
    {
        long total = 0;
        var inside = false;
        foreach (var line in File.ReadLines("/proc/self/smaps"))
        {
            if (line.Length > 0 && char.IsAsciiHexDigit(line[0]) && line.Contains('-'))
            {
                inside = line.EndsWith(path, StringComparison.Ordinal);
            }
            else if (inside && line.StartsWith("Rss:", StringComparison.Ordinal))
            {
                total += long.Parse(
                    line.AsSpan(4).Trim().TrimEnd("kB").Trim(),
                    CultureInfo.InvariantCulture
                );
            }
        }
        return total;
    }
}
