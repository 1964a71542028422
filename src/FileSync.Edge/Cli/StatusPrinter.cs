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
        text.Append(c.EdgeId is { } edge ? $", edge {edge}\n" : "\n");
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
                    w.State,
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
            if (w.InFlightFiles > 0 || w.InFlightBytes > 0)
            {
                text.Append(
                    s_culture,
                    $"  in flight: {w.InFlightFiles} change{(w.InFlightFiles == 1 ? "" : "s")} sent, not yet confirmed by the server ({Size(w.InFlightBytes)} still to go out)\n"
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
                    $"  withheld by the secret guard (never sent): {w.Withheld} file{(w.Withheld == 1 ? "" : "s")}\n"
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
