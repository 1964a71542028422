using System.Globalization;
using FileSync.Edge.Local;

namespace FileSync.Tray.State;

/// <summary>
/// The agent's status → what the icon shows (kind, SNI status, icon name, tooltip, colour). Pure: the
/// Linux and Windows trays both draw what this returns.
/// </summary>
public static class TrayStateMapper
{
    public const string Active = "Active";
    public const string Passive = "Passive";
    public const string NeedsAttention = "NeedsAttention";

    /// <param name="status">The agent's answer to <c>status</c>, or null when no agent answers.</param>
    /// <param name="problem">Why there is no status (no agent running, its error), when <paramref name="status"/> is null.</param>
    public static TrayView Map(AgentStatusView? status, string? problem)
    {
        if (status is null)
        {
            return new TrayView(
                TrayKind.NoAgent,
                NeedsAttention,
                "process-stop",
                "FileSync: agent not running",
                problem ?? "No agent runs for this config file.",
                0x616161
            );
        }
        var workspaces = status.Workspaces;
        var counts = Counts(workspaces);
        var connection = status.Connection;
        if (connection.State != "connected")
        {
            var reason = connection.LastError is { } error ? $"\nLast error: {error}" : "";
            return new TrayView(
                TrayKind.Offline,
                NeedsAttention,
                "network-offline",
                "FileSync: offline",
                $"Not connected to {connection.Server} ({connection.State}); changes are kept and sent on reconnect.{reason}\n{counts}",
                0xEF6C00
            );
        }
        var broken = workspaces
            .Where(w =>
                w.State is "refused" or "missing" or "rootchanged" or "stopped" || w.Errors > 0
            )
            .ToList();
        if (broken.Count > 0)
        {
            var lines = broken.Select(w =>
                w.Errors > 0
                && w.State is not ("refused" or "missing" or "rootchanged" or "stopped")
                    ? $"{w.Name}: {w.Errors} file{(w.Errors == 1 ? "" : "s")} failed"
                    : $"{w.Name}: {w.State}{(w.LastError is { } e ? $" ({e})" : "")}"
            );
            return new TrayView(
                TrayKind.Error,
                NeedsAttention,
                "dialog-error",
                "FileSync: needs attention",
                string.Join('\n', lines) + "\n" + counts,
                0xC62828
            );
        }
        var paused = workspaces.Count(w => w.Paused);
        if (paused > 0)
        {
            return new TrayView(
                TrayKind.Paused,
                Active,
                "media-playback-pause",
                "FileSync: paused",
                $"{paused} of {workspaces.Count} workspace{(workspaces.Count == 1 ? "" : "s")} paused; changes are kept and sent on resume.\n{counts}",
                0x757575
            );
        }
        var pending = workspaces.Sum(w => w.Pending);
        if (workspaces.Any(w => w.State is "syncing" or "waiting") || pending > 0)
        {
            return new TrayView(
                TrayKind.Syncing,
                Active,
                "view-refresh",
                "FileSync: syncing",
                $"Sending changes to {connection.Server}.\n{counts}",
                0x1565C0
            );
        }
        return new TrayView(
            TrayKind.Synced,
            Active,
            "emblem-default",
            "FileSync: in sync",
            workspaces.Count == 0
                ? $"Connected to {connection.Server}; no workspaces yet."
                : $"Connected to {connection.Server}.\n{counts}",
            0x2E7D32
        );
    }

    /// <summary>"2 workspaces, 1,234 files, 3.4 MB; 5 pending, 1 skipped, 0 errors".</summary>
    public static string Counts(IReadOnlyList<WorkspaceStatusView> workspaces)
    {
        var culture = CultureInfo.InvariantCulture;
        var files = workspaces.Sum(w => w.Files);
        var bytes = workspaces.Sum(w => w.Bytes);
        var withheld = workspaces.Sum(w => w.Withheld);
        return string.Create(
                culture,
                $"{workspaces.Count} workspace{(workspaces.Count == 1 ? "" : "s")}, {files:N0} files, {Size(bytes)}; {workspaces.Sum(w => w.Pending)} pending, {workspaces.Sum(w => w.Skipped)} skipped, {workspaces.Sum(w => w.Errors)} errors"
            )
            + (
                withheld > 0
                    ? string.Create(culture, $"; {withheld} withheld by the secret guard")
                    : ""
            );
    }

    private static string Size(long bytes) =>
        bytes switch
        {
            < 1000 => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
            < 1_000_000 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1000.0:0.0} KB"),
            < 1_000_000_000 => string.Create(
                CultureInfo.InvariantCulture,
                $"{bytes / 1_000_000.0:0.0} MB"
            ),
            _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1_000_000_000.0:0.0} GB"),
        };
}
