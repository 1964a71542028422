using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace FileSync.Edge.Workspace;

/// <summary>
/// Lets the kernel take back the read-only pages of the agent's own executable (and of the TLS library)
/// that a start-up or a sync burst faulted in but an idle agent does not use: <c>madvise(MADV_PAGEOUT)</c>
/// over those file-backed mappings. They are clean copies of files on disk, so nothing is lost: a page the
/// agent touches again is read back (from the page cache, usually). Measured on the Native AOT agent
/// idling on the benchmark workspace: resident set 25.1 → 15.8 MB at once, 17.4 MB after 30 s of idling.
/// </summary>
/// <remarks>
/// Only mappings that are not writable and are backed by a chosen file are advised, so no data page and
/// no anonymous memory is touched. Pages other processes also map (a shared libc) stay where they are:
/// the kernel pages out only pages this process alone maps. Kernels before 5.4 do not know the advice and
/// answer EINVAL; that is not an error, just no trim.
/// </remarks>
[SupportedOSPlatform("linux")]
internal static partial class ResidentCodePages
{
    private const int MadvisePageOut = 21;

    /// <summary>Advises every read-only mapping of the running executable and of libcrypto/libssl; returns the bytes advised.</summary>
    public static long Release()
    {
        var executable = Environment.ProcessPath;
        return Release(path =>
            string.Equals(path, executable, StringComparison.Ordinal)
            || path.Contains("/libcrypto.so", StringComparison.Ordinal)
            || path.Contains("/libssl.so", StringComparison.Ordinal)
        );
    }

    /// <summary>Advises every read-only mapping of this process whose file <paramref name="isChosen"/> accepts; returns the bytes advised.</summary>
    public static long Release(Func<string, bool> isChosen)
    {
        long advised = 0;
        string[] lines;
        try
        {
            lines = File.ReadAllLines("/proc/self/maps");
        }
        catch (IOException)
        {
            return 0;
        }
        foreach (var line in lines)
        {
            // "start-end perms offset dev inode path": the path starts after the fifth field and may hold spaces.
            var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 6 || fields[1][1] == 'w' || !fields[5].StartsWith('/'))
            {
                continue;
            }
            if (!isChosen(fields[5].Trim()))
            {
                continue;
            }
            var dash = fields[0].IndexOf('-', StringComparison.Ordinal);
            var start = ulong.Parse(
                fields[0].AsSpan(0, dash),
                NumberStyles.HexNumber,
                CultureInfo.InvariantCulture
            );
            var end = ulong.Parse(
                fields[0].AsSpan(dash + 1),
                NumberStyles.HexNumber,
                CultureInfo.InvariantCulture
            );
            if (Madvise((nint)start, (nuint)(end - start), MadvisePageOut) == 0)
            {
                advised += (long)(end - start);
            }
        }
        return advised;
    }

    [LibraryImport("libc", EntryPoint = "madvise", SetLastError = true)]
    private static partial int Madvise(nint address, nuint length, int advice);
}
