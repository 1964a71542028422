using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace FileSync.Edge.Benchmarks.Processes;

/// <summary>
/// The peers: rsync (the copy floor) and lsyncd (inotify + rsync to a local folder, delay 0). Both get the
/// same file set as the agent: node_modules/ and .git/ excluded, files over 102400 bytes skipped.
/// </summary>
internal static class Peers
{
    public static readonly string[] RsyncFilters =
    [
        "--exclude=node_modules/",
        "--exclude=.git/",
        "--max-size=102400",
    ];

    public static bool RsyncAvailable => Which("rsync") is not null;

    public static bool LsyncdAvailable => Which("lsyncd") is not null;

    public static string? Which(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Join(folder, command))
            .FirstOrDefault(File.Exists);

    /// <summary>Result of one rsync run: wall time, and from --stats the literal (non-delta) data and all bytes sent.</summary>
    public readonly record struct RsyncResult(
        TimeSpan Elapsed,
        long LiteralBytes,
        long TotalBytesSent
    );

    /// <summary><c>rsync -a --stats</c> with the shared filters, from <paramref name="source"/> into <paramref name="target"/>.</summary>
    public static async Task<RsyncResult> RsyncAsync(string source, string target)
    {
        Directory.CreateDirectory(target);
        var info = new ProcessStartInfo("rsync")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (
            var argument in new[] { "-a", "--stats" }
                .Concat(RsyncFilters)
                .Append(source.TrimEnd('/') + "/")
                .Append(target.TrimEnd('/') + "/")
        )
        {
            info.ArgumentList.Add(argument);
        }
        var started = Stopwatch.GetTimestamp();
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var text = await output.ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new BenchmarkException(
                $"rsync exited with {process.ExitCode}: {await errors.ConfigureAwait(false)}"
            );
        }
        return new RsyncResult(
            elapsed,
            StatBytes(text, "Literal data"),
            StatBytes(text, "Total bytes sent")
        );
    }

    private static long StatBytes(string stats, string label)
    {
        var match = Regex.Match(
            stats,
            $@"^{Regex.Escape(label)}: ([\d,.]+)",
            RegexOptions.Multiline
        );
        return match.Success
            ? long.Parse(
                match
                    .Groups[1]
                    .Value.Replace(",", "", StringComparison.Ordinal)
                    .Replace(".", "", StringComparison.Ordinal),
                CultureInfo.InvariantCulture
            )
            : -1;
    }

    /// <summary>
    /// Starts lsyncd (default.rsync, delay 0, in the foreground) from <paramref name="source"/> into
    /// <paramref name="target"/>. lsyncd first copies the whole tree ("Startup of … finished"), then runs
    /// rsync for each aggregated list of changes ("Calling rsync with filter-list …").
    /// </summary>
    public static ChildProcess StartLsyncd(string source, string target, string configFile)
    {
        Directory.CreateDirectory(target);
        var config = $$"""
            settings { nodaemon = true }
            sync {
              default.rsync,
              source = "{{source.TrimEnd('/')}}/",
              target = "{{target.TrimEnd('/')}}/",
              delay = 0,
              exclude = { "node_modules/", ".git/" },
              rsync = { archive = true, _extra = { "--max-size=102400" } },
            }
            """;
        File.WriteAllText(configFile, config);
        return ChildProcess.Start("lsyncd", "lsyncd", [configFile]);
    }

    public static bool IsLsyncdStartupDone(string line) =>
        line.Contains("Startup of", StringComparison.Ordinal)
        && line.Contains("finished", StringComparison.Ordinal);

    public static bool IsLsyncdRsyncCall(string line) =>
        line.Contains("Calling rsync", StringComparison.Ordinal);
}
