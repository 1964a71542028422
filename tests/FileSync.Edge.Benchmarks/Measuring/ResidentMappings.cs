using System.Globalization;

namespace FileSync.Edge.Benchmarks.Measuring;

/// <summary>
/// Where a process's resident memory is, from <c>/proc/&lt;pid&gt;/smaps</c>: its own executable's
/// pages, OpenSSL (libcrypto, libssl), libc, the other shared libraries, and anonymous memory (the GC
/// heap, thread stacks, the native heap). Each mapping's <c>Rss:</c> is summed into one of those groups.
/// </summary>
internal static class ResidentMappings
{
    private static readonly string[] s_groups =
    [
        "executable",
        "libcrypto+libssl",
        "libc",
        "other libraries",
        "anonymous",
    ];

    /// <summary>"executable 4.1 MB, libcrypto+libssl 3.4 MB, …", largest first; "n/a" where smaps cannot be read.</summary>
    public static string Describe(int pid)
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
            return "n/a";
        }
        var kilobytes = new long[s_groups.Length];
        var group = s_groups.Length - 1;
        foreach (var line in lines)
        {
            if (IsMappingLine(line))
            {
                group = GroupOf(MappedPath(line), executable);
            }
            else if (line.StartsWith("Rss:", StringComparison.Ordinal))
            {
                kilobytes[group] += long.Parse(
                    line.AsSpan(4).Trim().TrimEnd("kB").Trim(),
                    CultureInfo.InvariantCulture
                );
            }
        }
        return string.Join(
            ", ",
            Enumerable
                .Range(0, s_groups.Length)
                .OrderByDescending(i => kilobytes[i])
                .Select(i =>
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"{s_groups[i]} {kilobytes[i] / 1024.0:F1} MB"
                    )
                )
        );
    }

    /// <summary>A mapping's header line ("start-end perms offset dev inode [path]") rather than a field.</summary>
    private static bool IsMappingLine(string line)
    {
        var dash = line.IndexOf('-', StringComparison.Ordinal);
        return dash > 0 && line.AsSpan(0, dash).IndexOfAnyExcept("0123456789abcdef") < 0;
    }

    private static string MappedPath(string line)
    {
        var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
        return fields.Length == 6 ? fields[5].Trim() : "";
    }

    private static int GroupOf(string path, string executable)
    {
        if (!path.StartsWith('/'))
        {
            return 4; // [heap], [stack], anonymous mappings
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
}
