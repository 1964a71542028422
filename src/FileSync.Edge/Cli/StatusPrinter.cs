using System.Globalization;
using System.Text;
using FileSync.Edge.Local;

namespace FileSync.Edge.Cli;

/// <summary>The text of <c>filesync-edge status</c> (a table like <c>mutagen sync list</c>) and of <c>logs</c>.</summary>
public static class StatusPrinter
{
    /// <summary>Most skipped and failed files listed per workspace (the JSON has them all).</summary>
    public const int MaxListedFiles = 10;

    private static readonly CultureInfo s_culture = CultureInfo.InvariantCulture;

    public static string Format(AgentStatusView status, DateTimeOffset now)
    {
        var zone = now.Offset;
        var text = new StringBuilder();
        var c = status.Connection;
        text.Append(
            s_culture,
            $"Agent:       pid {status.Pid}, version {status.Version}, up {Ago(now - status.StartedAt)}\n"
        );
        if (status.ConfigPath is { } config)
        {
            text.Append(s_culture, $"Config:      {config}\n");
        }
        text.Append(
            s_culture,
            $"Connection:  {c.State} {(c.State == "connected" ? "to" : "—")} {c.Server} since {Time(c.Since, zone)} ({Ago(now - c.Since)} ago)"
        );
        if (c.EdgeId is { } edge)
        {
            text.Append(s_culture, $", edge {edge}");
        }
        if (c.State != "connected" && c.NextAttemptAt is { } next)
        {
            // Computed now from the absolute time: never a countdown frozen when the status was taken.
            text.Append(next > now ? $", next attempt in {Ago(next - now)}" : ", next attempt now");
        }
        text.Append('\n');
        if (c.LastError is { } lastError)
        {
            text.Append(
                s_culture,
                $"Last error:  {lastError}{(c.LastErrorAt is { } at ? $" (at {Time(at, zone)})" : "")}\n"
            );
        }
        text.Append('\n');
        if (status.Workspaces.Count == 0)
        {
            text.Append(
                "No workspaces (the server chooses them, or add one: filesync-edge add <folder>).\n"
            );
        }
        else
        {
            AppendTable(text, status.Workspaces, zone);
        }
        if (status.Attention.Count > 0)
        {
            text.Append("\nNeeds attention:\n");
            foreach (var reason in status.Attention)
            {
                text.Append(s_culture, $"  - {reason}\n");
            }
        }
        return text.ToString();
    }

    private static void AppendTable(
        StringBuilder text,
        IReadOnlyList<WorkspaceStatusView> workspaces,
        TimeSpan zone
    )
    {
        string[] header =
        [
            "WORKSPACE",
            "STATE",
            "FILES",
            "SIZE",
            "PENDING",
            "SKIPPED",
            "ERRORS",
            "LAST SYNC",
        ];
        var rows = workspaces
            .Select(w =>
                new[]
                {
                    w.Name,
                    w.Pausing ? "pausing" : w.State,
                    w.Files.ToString(s_culture),
                    Size(w.Bytes),
                    w.Pending.ToString(s_culture),
                    w.Skipped.ToString(s_culture),
                    w.Errors.ToString(s_culture),
                    w.LastSync is { } last ? Time(last, zone) : "-",
                }
            )
            .ToList();
        var widths = header
            .Select((h, i) => Math.Max(h.Length, rows.Max(r => r[i].Length)))
            .ToArray();
        AppendRow(text, header, widths);
        for (var i = 0; i < workspaces.Count; i++)
        {
            AppendRow(text, rows[i], widths);
            var w = workspaces[i];
            text.Append(s_culture, $"  {w.Path}{(w.CommandLine ? " (command line)" : "")}\n");
            if (w.Progress is { } progress)
            {
                text.Append(s_culture, $"  {ProgressLine(progress, w.Paused)}\n");
            }
            if (w.InFlightFiles > 0 || w.InFlightBytes > 0)
            {
                text.Append(
                    s_culture,
                    $"  in flight: {Count(w.InFlightFiles, "change")} sent, not yet confirmed by the server ({Size(w.InFlightBytes)} still to go out)\n"
                );
            }
            if (w.LastError is { } error && (w.State != "watching" || w.Errors > 0))
            {
                text.Append(s_culture, $"  last error: {error}\n");
            }
            AppendFiles(text, "error", w.ErrorFiles, w.Errors);
            AppendFiles(text, "skipped", w.SkippedFiles, w.Skipped);
            if (w.Withheld > 0)
            {
                text.Append(
                    s_culture,
                    $"  withheld by the secret guard (never sent): {Count(w.Withheld, "file")}\n"
                );
                AppendFiles(text, "withheld", w.WithheldFiles, w.Withheld);
            }
        }
    }

    private static void AppendFiles(
        StringBuilder text,
        string label,
        IReadOnlyList<FileProblemView> files,
        int total
    )
    {
        foreach (var file in files.Take(MaxListedFiles))
        {
            text.Append(s_culture, $"  {label}: {file.Path} ({file.Reason})\n");
        }
        var more = Math.Max(total, files.Count) - Math.Min(files.Count, MaxListedFiles);
        if (more > 0)
        {
            text.Append(s_culture, $"  {label}: … and {more} more (see --json)\n");
        }
    }

    private static void AppendRow(StringBuilder text, string[] cells, int[] widths)
    {
        for (var i = 0; i < cells.Length; i++)
        {
            text.Append(i == cells.Length - 1 ? cells[i] : cells[i].PadRight(widths[i] + 2));
        }
        text.Append('\n');
    }

    /// <summary>One line of <c>filesync-edge logs</c>: local time, level, component, message.</summary>
    public static string FormatLogLine(LogLineView line, TimeZoneInfo zone)
    {
        var category = line.Category;
        var dot = category.LastIndexOf('.');
        var component = dot >= 0 ? category[(dot + 1)..] : category;
        var local = TimeZoneInfo.ConvertTime(line.Time, zone);
        return $"{local.ToString("yyyy-MM-dd HH:mm:ss", s_culture)} {line.Level, -5} {component}: {line.Message}";
    }

    /// <summary>
    /// A full sync's progress: <c>syncing 340/1,800 files (12.1 of 26.0 MB)</c>, both sizes in the
    /// total's unit; <c>paused at …</c> while paused; the scan's line before its totals are known.
    /// </summary>
    public static string ProgressLine(SyncProgressView progress, bool paused)
    {
        var verb = paused ? "paused at" : "syncing";
        if (progress.FilesTotal == 0)
        {
            return paused ? "paused while scanning" : "syncing: scanning the workspace";
        }
        return $"{verb} {progress.FilesDone.ToString("N0", s_culture)}/{Count(progress.FilesTotal, "file")} ({SizeOf(progress.BytesDone, progress.BytesTotal)})";
    }

    /// <summary><c>1 file</c>, <c>2 files</c>, <c>1,800 files</c>.</summary>
    public static string Count(long count, string noun) =>
        $"{count.ToString("N0", s_culture)} {noun}{(count == 1 ? "" : "s")}";

    /// <summary><c>12.1 of 26.0 MB</c>: both in the unit of <paramref name="total"/>.</summary>
    public static string SizeOf(long done, long total)
    {
        var (divisor, unit) = total switch
        {
            < 1000 => (1.0, "B"),
            < 1_000_000 => (1000.0, "KB"),
            < 1_000_000_000 => (1_000_000.0, "MB"),
            _ => (1_000_000_000.0, "GB"),
        };
        var format = unit == "B" ? "0" : "0.0";
        return $"{(done / divisor).ToString(format, s_culture)} of {(total / divisor).ToString(format, s_culture)} {unit}";
    }

    public static string Size(long bytes) =>
        bytes switch
        {
            < 1000 => $"{bytes} B",
            < 1_000_000 => (bytes / 1000.0).ToString("0.0", s_culture) + " KB",
            < 1_000_000_000 => (bytes / 1_000_000.0).ToString("0.0", s_culture) + " MB",
            _ => (bytes / 1_000_000_000.0).ToString("0.0", s_culture) + " GB",
        };

    private static string Time(DateTimeOffset time, TimeSpan zone) =>
        time.ToOffset(zone).ToString("HH:mm:ss", s_culture);

    public static string Ago(TimeSpan span) =>
        span.TotalSeconds < 1 ? "0s"
        : span.TotalMinutes < 1 ? $"{(int)span.TotalSeconds}s"
        : span.TotalHours < 1 ? $"{(int)span.TotalMinutes}m{span.Seconds}s"
        : span.TotalDays < 1 ? $"{(int)span.TotalHours}h{span.Minutes}m"
        : $"{(int)span.TotalDays}d{span.Hours}h";
}
