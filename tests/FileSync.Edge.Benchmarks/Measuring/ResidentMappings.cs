using System.Globalization;

namespace FileSync.Edge.Benchmarks.Measuring;

/// <summary>
/// Where a process's resident memory is, from <c>/proc/&lt;pid&gt;/smaps</c>: its own executable's
/// pages, OpenSSL (libcrypto, libssl), libc, the other shared libraries, glibc's malloc heaps (the main
/// heap and the 64 MB-aligned heaps of its per-thread arenas: native code's memory) and the remaining
/// anonymous memory (the GC heap, its bookkeeping and thread stacks). Each mapping's <c>Rss:</c> is summed
/// into one of those groups.
/// </summary>
internal sealed class ResidentMappings
{
    private const long ArenaAlignment = 64L * 1024 * 1024;

    private static readonly string[] s_groups =
    [
        "executable",
        "libcrypto+libssl",
        "libc",
        "other libraries",
        "malloc heaps",
        "GC heap and other anonymous",
    ];

    private readonly long[] _kilobytes;

    private ResidentMappings(long[] kilobytes) => _kilobytes = kilobytes;

    /// <summary>All groups together: the resident set when the mappings were read.</summary>
    public long TotalKilobytes => _kilobytes.Sum();

    /// <summary>"executable 4.1 MB, libcrypto+libssl 3.4 MB, …", largest first; "n/a" where smaps cannot be read.</summary>
    public static string Describe(int pid) => Read(pid)?.ToString() ?? "n/a";

    /// <summary>The process's mappings now; null when smaps cannot be read (the process ended).</summary>
    public static ResidentMappings? Read(int pid)
    {
        string executable;
        string[] lines;
        try
        {
            executable = Path.GetFullPath(new FileInfo($"/proc/{pid}/exe").LinkTarget ?? "", "/");
            lines = File.ReadAllLines($"/proc/{pid}/smaps");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        var kilobytes = new long[s_groups.Length];
        var group = s_groups.Length - 1;
        foreach (var line in lines)
        {
            if (IsMappingLine(line))
            {
                group = GroupOf(line, executable);
            }
            else if (line.StartsWith("Rss:", StringComparison.Ordinal))
            {
                kilobytes[group] += long.Parse(
                    line.AsSpan(4).Trim().TrimEnd("kB").Trim(),
                    CultureInfo.InvariantCulture
                );
            }
        }
        return new ResidentMappings(kilobytes);
    }

    public override string ToString() =>
        string.Join(
            ", ",
            Enumerable
                .Range(0, s_groups.Length)
                .OrderByDescending(i => _kilobytes[i])
                .Select(i =>
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"{s_groups[i]} {_kilobytes[i] / 1024.0:F1} MB"
                    )
                )
        );

    /// <summary>A mapping's header line ("start-end perms offset dev inode [path]") rather than a field.</summary>
    private static bool IsMappingLine(string line)
    {
        var dash = line.IndexOf('-', StringComparison.Ordinal);
        return dash > 0 && line.AsSpan(0, dash).IndexOfAnyExcept("0123456789abcdef") < 0;
    }

    private static int GroupOf(string mapping, string executable)
    {
        var fields = mapping.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
        var path = fields.Length == 6 ? fields[5].Trim() : "";
        if (!path.StartsWith('/'))
        {
            return IsMallocHeap(fields[0], fields[1], path) ? 4 : 5;
        }
        if (path == executable)
        {
            return 0;
        }
        var name = Path.GetFileName(path);
        if (name.StartsWith("libcrypto.so", StringComparison.Ordinal))
        {
            return 1;
        }
        if (name.StartsWith("libssl.so", StringComparison.Ordinal))
        {
            return 1;
        }
        return name.StartsWith("libc.so", StringComparison.Ordinal) ? 2 : 3;
    }

    /// <summary>
    /// glibc's main heap ("[heap]", grown by brk) or a thread arena's heap: a read-write anonymous mapping
    /// starting on a 64 MB boundary (glibc aligns each arena heap to its maximum size, 64 MB on 64-bit).
    /// </summary>
    private static bool IsMallocHeap(string range, string permissions, string path)
    {
        if (path == "[heap]")
        {
            return true;
        }
        if (path.Length > 0 || permissions != "rw-p")
        {
            return false;
        }
        var start = long.Parse(
            range.AsSpan(0, range.IndexOf('-', StringComparison.Ordinal)),
            NumberStyles.HexNumber,
            CultureInfo.InvariantCulture
        );
        return start % ArenaAlignment == 0;
    }
}
