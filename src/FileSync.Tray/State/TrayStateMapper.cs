using System.Globalization;
using FileSync.Edge.Local;
using FileSync.Tray.Icons;

namespace FileSync.Tray.State;

/// <summary>
/// The agent's status → what the icon shows (kind, SNI status, icon name, title, tooltip, colour). Pure: the
/// Linux and Windows trays both draw what this returns. The title carries the key fact ("FileSync: big2
/// missing", "FileSync: syncing 340/1,800"), since some panels show nothing else.
/// </summary>
public static class TrayStateMapper
{
    public const string Active = "Active";
    public const string Passive = "Passive";
    public const string NeedsAttention = "NeedsAttention";

    /// <summary>Exit code of an agent whose API key the server rejected.</summary>
    public const int AuthenticationRejectedExitCode = 3;

    /// <summary>Before the first answer from the agent: a neutral icon, no alarm.</summary>
    public static TrayView Starting(string? text = null) =>
        new(
            TrayKind.Starting,
            Active,
            "content-loading",
            "FileSync: starting",
            text ?? "Asking the agent for its status…",
            StateIconArt.Colour(TrayKind.Starting)
        );

    /// <param name="status">The agent's answer to <c>status</c>, or null when no agent answers.</param>
    /// <param name="problem">Why there is no status (no agent running, its error), when <paramref name="status"/> is null.</param>
    /// <param name="agentExitCode">How the agent this tray started ended, when it did.</param>
    public static TrayView Map(AgentStatusView? status, string? problem, int? agentExitCode = null)
    {
        if (status is null)
        {
            return new TrayView(
                TrayKind.NoAgent,
                NeedsAttention,
                "process-stop",
                agentExitCode switch
                {
                    AuthenticationRejectedExitCode => "FileSync: key rejected",
                    { } code => string.Create(
                        CultureInfo.InvariantCulture,
                        $"FileSync: agent exited ({code})"
                    ),
                    null => "FileSync: agent not running",
                },
                problem ?? "No agent runs for this config file.",
                StateIconArt.Colour(TrayKind.NoAgent)
            );
        }
        var workspaces = status.Workspaces;
        var counts = Counts(workspaces);
        var connection = status.Connection;
        if (connection.State != "connected")
        {
            var reason = connection.LastError is { } error
                ? $"\nLast error{(connection.LastErrorAt is { } at ? $" ({TrayText.Clock(at)})" : "")}: {error}"
                : "";
            return new TrayView(
                TrayKind.Offline,
                NeedsAttention,
                "network-offline",
                $"FileSync: offline, {(connection.State == "stopped" ? "stopped" : "reconnecting")}",
                $"Not connected to {connection.Server} ({connection.State}) since {TrayText.Clock(connection.Since)}; the agent keeps retrying (at most 30 s apart) and sends the kept changes once connected.{reason}\n{counts}",
                StateIconArt.Colour(TrayKind.Offline)
            );
        }
        var broken = workspaces.Where(TrayText.IsBroken).ToList();
        if (broken.Count > 0)
        {
            var first = broken[0];
            var lines = broken.Select(w => $"{w.Name}: {TrayText.Trouble(w)}{Why(w)}");
            return new TrayView(
                TrayKind.Error,
                NeedsAttention,
                "dialog-error",
                (
                    first.State is "refused" or "missing" or "rootchanged" or "stopped"
                        ? $"FileSync: {first.Name} {TrayText.Trouble(first)}"
                        : $"FileSync: {TrayText.Trouble(first)} in {first.Name}"
                ) + (broken.Count > 1 ? $" (+{broken.Count - 1} more)" : ""),
                string.Join('\n', lines) + "\n" + counts,
                StateIconArt.Colour(TrayKind.Error)
            );
        }
        var paused = workspaces.Count(w => w.Paused || w.Pausing);
        if (paused > 0)
        {
            return new TrayView(
                TrayKind.Paused,
                Active,
                "media-playback-pause",
                workspaces.Any(w => w.Pausing) ? "FileSync: pausing" : "FileSync: paused",
                $"{paused} of {TrayText.Count(workspaces.Count, "workspace")} paused; changes are kept and sent on resume.\n{counts}",
                StateIconArt.Colour(TrayKind.Paused)
            );
        }
        var pending = workspaces.Sum(w => w.Pending);
        var running = workspaces.Where(w => w.Progress is not null).ToList();
        if (
            workspaces.Any(w => w.State is "syncing" or "waiting")
            || pending > 0
            || running.Count > 0
        )
        {
            var total = new SyncProgressView
            {
                FilesDone = running.Sum(w => w.Progress!.FilesDone),
                FilesTotal = running.Sum(w => w.Progress!.FilesTotal),
            };
            var title =
                TrayText.Progress(total) is { } progress ? $"FileSync: syncing {progress}"
                : pending > 0 ? $"FileSync: syncing {TrayText.Count(pending, "change")}"
                : "FileSync: syncing";
            var detail = running
                .Where(w => w.Progress is { FilesTotal: > 0 })
                .Select(w => $"\n{w.Name}: {TrayText.ProgressDetail(w.Progress!)}");
            return new TrayView(
                TrayKind.Syncing,
                Active,
                "view-refresh",
                title,
                $"Sending changes to {connection.Server}.{string.Concat(detail)}\n{counts}",
                StateIconArt.Colour(TrayKind.Syncing)
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
            StateIconArt.Colour(TrayKind.Synced)
        );
    }

    /// <summary>Why a broken workspace is broken: the first failing files by name, else its last error.</summary>
    private static string Why(WorkspaceStatusView w) =>
        w.State is not ("refused" or "missing" or "rootchanged" or "stopped")
        && w.ErrorFiles.Count > 0
            ? $" ({string.Join(", ", w.ErrorFiles.Take(3).Select(f => $"{f.Path}: {f.Reason}"))})"
        : w.LastError is { } error ? $" ({error})"
        : "";

    /// <summary>"2 workspaces, 1,234 files, 3.4 MB; 5 pending, 1 skipped, 0 errors".</summary>
    public static string Counts(IReadOnlyList<WorkspaceStatusView> workspaces)
    {
        var withheld = workspaces.Sum(w => w.Withheld);
        return $"{TrayText.Count(workspaces.Count, "workspace")}, {TrayText.Count(workspaces.Sum(w => w.Files), "file")}, {TrayText.Size(workspaces.Sum(w => w.Bytes))}; "
            + string.Create(
                CultureInfo.InvariantCulture,
                $"{workspaces.Sum(w => w.Pending)} pending, {workspaces.Sum(w => w.Skipped)} skipped, "
            )
            + TrayText.Count(workspaces.Sum(w => w.Errors), "error")
            + (
                withheld > 0
                    ? string.Create(
                        CultureInfo.InvariantCulture,
                        $"; {withheld} withheld by the secret guard"
                    )
                    : ""
            );
    }
}
