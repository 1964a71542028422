using System.Globalization;
using FileSync.Edge.Local;

namespace FileSync.Tray.State;

/// <summary>
/// The tray menu for a status (pure, shared by Linux and Windows): the connection line; one line per
/// workspace with its state (opens the folder); Pause/Resume; Resync now; Show status; Open log; Quit
/// agent (or Start agent); Quit tray.
/// </summary>
public static class TrayMenuBuilder
{
    public const int ConnectionId = 1;
    public const int PauseId = 2;
    public const int ResumeId = 3;
    public const int ResyncId = 4;
    public const int ShowStatusId = 5;
    public const int OpenLogId = 6;
    public const int QuitAgentId = 7;
    public const int StartAgentId = 8;
    public const int QuitTrayId = 9;
    public const int WithheldId = 10;

    /// <summary>Workspace lines have ids from here on, in status order.</summary>
    public const int FirstWorkspaceId = 100;

    /// <summary>Most workspace lines shown (the rest in one "… more" line).</summary>
    public const int MaxWorkspaceLines = 30;

    /// <summary>Ids of the lines a reason under the connection line is wrapped into.</summary>
    public const int ReasonId = 50;

    /// <summary>Ids of the lines a workspace's reason is wrapped into: this + 10 × its index + the line.</summary>
    public const int FirstWorkspaceReasonId = 1000;

    /// <param name="status">The agent's status, or null when none answers.</param>
    /// <param name="problem">Why there is no status.</param>
    /// <param name="starting">No answer yet, but the agent is starting (or the tray just started).</param>
    public static IReadOnlyList<TrayMenuItem> Build(
        AgentStatusView? status,
        string? problem,
        bool starting = false
    )
    {
        var items = new List<TrayMenuItem>();
        if (status is null)
        {
            items.Add(
                new TrayMenuItem(
                    ConnectionId,
                    starting ? "Agent starting…" : "Agent not running",
                    TrayAction.None,
                    Enabled: false
                )
            );
            if (problem is { Length: > 0 })
            {
                AddReason(items, ReasonId, problem);
            }
            items.Add(TrayMenuItem.Separator(20));
            items.Add(new TrayMenuItem(StartAgentId, "Start agent", TrayAction.StartAgent));
            items.Add(new TrayMenuItem(QuitTrayId, "Quit tray", TrayAction.QuitTray));
            return items;
        }
        var connection = status.Connection;
        items.Add(
            new TrayMenuItem(
                ConnectionId,
                connection.State == "connected"
                    ? $"Connected to {connection.Server}"
                    : $"Not connected ({connection.State}): {connection.Server}",
                TrayAction.None,
                Enabled: false
            )
        );
        if (connection.State != "connected" && connection.LastError is { Length: > 0 } why)
        {
            // Why it is not connected (the cause and its hint), as status says it.
            AddReason(items, ReasonId, why);
        }
        items.Add(TrayMenuItem.Separator(20));
        var workspaces = status.Workspaces;
        if (workspaces.Count == 0)
        {
            items.Add(
                new TrayMenuItem(
                    FirstWorkspaceId - 1,
                    "No workspaces",
                    TrayAction.None,
                    Enabled: false
                )
            );
        }
        for (var i = 0; i < Math.Min(workspaces.Count, MaxWorkspaceLines); i++)
        {
            var w = workspaces[i];
            items.Add(
                new TrayMenuItem(
                    FirstWorkspaceId + i,
                    string.Create(CultureInfo.InvariantCulture, $"{w.Name} — {Describe(w)}"),
                    TrayAction.OpenFolder,
                    Argument: w.Path
                )
            );
            if (
                w.State is "refused" or "missing" or "rootchanged" or "stopped"
                && w.LastError is { Length: > 0 } reason
            )
            {
                AddReason(items, FirstWorkspaceReasonId + 10 * i, reason);
            }
        }
        if (workspaces.Count > MaxWorkspaceLines)
        {
            items.Add(
                new TrayMenuItem(
                    FirstWorkspaceId + MaxWorkspaceLines,
                    $"… and {workspaces.Count - MaxWorkspaceLines} more (Show status)",
                    TrayAction.ShowStatus
                )
            );
        }
        var withheld = workspaces.Sum(w => w.Withheld);
        if (withheld > 0)
        {
            items.Add(
                new TrayMenuItem(
                    WithheldId,
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"{TrayText.Count(withheld, "file")} withheld by the secret guard (Show status)"
                    ),
                    TrayAction.ShowStatus
                )
            );
        }
        items.Add(TrayMenuItem.Separator(21));
        var anyPaused = workspaces.Any(w => w.Paused || w.Pausing);
        var anyRunning = workspaces.Any(w => !(w.Paused || w.Pausing));
        if (anyRunning || workspaces.Count == 0)
        {
            items.Add(new TrayMenuItem(PauseId, "Pause syncing", TrayAction.Pause));
        }
        if (anyPaused)
        {
            items.Add(new TrayMenuItem(ResumeId, "Resume syncing", TrayAction.Resume));
        }
        items.Add(
            new TrayMenuItem(
                ResyncId,
                "Resync now",
                TrayAction.Resync,
                Enabled: workspaces.Count > 0
            )
        );
        items.Add(new TrayMenuItem(ShowStatusId, "Show status", TrayAction.ShowStatus));
        items.Add(new TrayMenuItem(OpenLogId, "Open log", TrayAction.OpenLog));
        items.Add(TrayMenuItem.Separator(22));
        items.Add(new TrayMenuItem(QuitAgentId, "Quit agent", TrayAction.QuitAgent));
        items.Add(new TrayMenuItem(QuitTrayId, "Quit tray", TrayAction.QuitTray));
        return items;
    }

    /// <summary>A workspace's state in a few words: "syncing 340/1,800 files", "watching (1 file)", "missing, 2 errors".</summary>
    public static string Describe(WorkspaceStatusView w) =>
        w.Progress is { FilesTotal: > 0 } p
            ? string.Create(
                CultureInfo.InvariantCulture,
                $"{StateWord(w)} {p.FilesDone:N0}/{TrayText.Count(p.FilesTotal, "file")}"
            )
        : w.Errors > 0 ? $"{w.State}, {TrayText.Count(w.Errors, "error")}"
        : w.Pending > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{w.State}, {w.Pending:N0} pending")
        : $"{w.State} ({TrayText.Count(w.Files, "file")})";

    /// <summary>The state's word; "pausing" while the file under way still goes out.</summary>
    private static string StateWord(WorkspaceStatusView w) => w.Pausing ? "pausing" : w.State;

    /// <summary>A reason as disabled lines, wrapped, never cut short of its cause.</summary>
    private static void AddReason(List<TrayMenuItem> items, int firstId, string reason)
    {
        var lines = TrayText.Wrap(reason, maxLines: 9);
        for (var k = 0; k < lines.Count; k++)
        {
            items.Add(
                new TrayMenuItem(
                    firstId + k,
                    (k == 0 ? "" : "    ") + lines[k],
                    TrayAction.None,
                    Enabled: false
                )
            );
        }
    }
}
