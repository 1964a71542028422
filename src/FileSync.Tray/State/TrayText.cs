using System.Globalization;
using FileSync.Edge.Local;

namespace FileSync.Tray.State;

/// <summary>The words the tray's title, tooltip and menu share: counts with the right plural, sizes, progress, wrapped reasons.</summary>
public static class TrayText
{
    private static readonly CultureInfo s_invariant = CultureInfo.InvariantCulture;

    /// <summary>"1 file", "2 files", "1,800 files".</summary>
    public static string Count(long count, string singular, string? plural = null) =>
        string.Create(
            s_invariant,
            $"{count:N0} {(count == 1 ? singular : plural ?? singular + "s")}"
        );

    /// <summary>"340/1,800" for a full sync under way; null when none runs or its scan has no total yet.</summary>
    public static string? Progress(SyncProgressView? progress) =>
        progress is { FilesTotal: > 0 } p
            ? string.Create(s_invariant, $"{p.FilesDone:N0}/{p.FilesTotal:N0}")
            : null;

    /// <summary>"340 of 1,800 files, 1.2 of 4.0 MB" (the bytes only when known).</summary>
    public static string ProgressDetail(SyncProgressView p) =>
        string.Create(s_invariant, $"{p.FilesDone:N0} of {Count(p.FilesTotal, "file")}")
        + (p.BytesTotal > 0 ? $", {Size(p.BytesDone)} of {Size(p.BytesTotal)}" : "");

    public static string Size(long bytes) =>
        bytes switch
        {
            < 1000 => string.Create(s_invariant, $"{bytes} B"),
            < 1_000_000 => string.Create(s_invariant, $"{bytes / 1000.0:0.0} KB"),
            < 1_000_000_000 => string.Create(s_invariant, $"{bytes / 1_000_000.0:0.0} MB"),
            _ => string.Create(s_invariant, $"{bytes / 1_000_000_000.0:0.0} GB"),
        };

    /// <summary>A local clock time, "14:02:31".</summary>
    public static string Clock(DateTimeOffset at) =>
        at.ToLocalTime().ToString("HH:mm:ss", s_invariant);

    /// <summary>
    /// <paramref name="text"/> in lines of at most <paramref name="width"/> characters, broken at spaces
    /// (a longer word is cut). Nothing is dropped: a reason keeps its cause however long it is, up to
    /// <paramref name="maxLines"/> lines, the last of which then ends with "…".
    /// </summary>
    public static IReadOnlyList<string> Wrap(string text, int width = 70, int maxLines = 6)
    {
        var lines = new List<string>();
        var rest = text.ReplaceLineEndings(" ").Trim();
        while (rest.Length > 0)
        {
            if (lines.Count == maxLines - 1 && rest.Length > width)
            {
                lines.Add(rest[..(width - 1)].TrimEnd() + "…");
                return lines;
            }
            if (rest.Length <= width)
            {
                lines.Add(rest);
                break;
            }
            var cut = rest.LastIndexOf(' ', width);
            if (cut <= width / 3)
            {
                cut = width;
            }
            lines.Add(rest[..cut].TrimEnd());
            rest = rest[cut..].TrimStart();
        }
        return lines;
    }

    /// <summary>What a broken workspace's trouble is, in a few words ("missing", "refused", "3 files failing").</summary>
    public static string Trouble(WorkspaceStatusView w) =>
        w.State switch
        {
            "refused" => "refused",
            "missing" => "missing",
            "rootchanged" => "root replaced",
            "stopped" => "stopped",
            _ => Count(w.Errors, "file") + " failing",
        };

    /// <summary>Whether a workspace stopped syncing or has failing files.</summary>
    public static bool IsBroken(WorkspaceStatusView w) =>
        w.State is "refused" or "missing" or "rootchanged" or "stopped" || w.Errors > 0;
}
