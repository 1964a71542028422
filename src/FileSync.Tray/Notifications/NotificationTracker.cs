using FileSync.Edge.Local;
using FileSync.Tray.State;

namespace FileSync.Tray.Notifications;

/// <summary>
/// Decides which desktop notifications a run of status readings is worth: one when syncing stops or needs
/// the person (API key rejected, agent exited, a workspace refused, missing, replaced or stopped, files
/// failing by name for more than <see cref="FailingFilesGrace"/>), and one when it recovers; never one per
/// file, never the same cause twice while it lasts.
/// </summary>
public sealed class NotificationTracker(TimeProvider time)
{
    /// <summary>How long files must keep failing before a notification (retries often succeed sooner).</summary>
    public static readonly TimeSpan FailingFilesGrace = TimeSpan.FromMinutes(1);

    private const string AgentCause = "agent";

    // Causes notified and not yet recovered: key → what recovery says.
    private readonly Dictionary<string, string> _active = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _failingSince = new(StringComparer.Ordinal);
    private bool _sawAgent;

    /// <param name="status">The agent's status, or null when none answers.</param>
    /// <param name="agentExitCode">How the agent this tray started ended, when it did.</param>
    /// <param name="stopExpected">The person stopped the agent (Quit agent): no notification for that.</param>
    /// <param name="logPath">The agent's log, named in the "agent exited" notification.</param>
    public IReadOnlyList<TrayNotification> Observe(
        AgentStatusView? status,
        int? agentExitCode,
        bool stopExpected,
        string logPath
    )
    {
        var raised = new List<TrayNotification>();
        if (status is null)
        {
            if (
                !_active.ContainsKey(AgentCause)
                && !stopExpected
                && agentExitCode is null
                && _sawAgent
            )
            {
                _active[AgentCause] = "The agent runs again.";
                raised.Add(
                    new TrayNotification(
                        "FileSync: the agent stopped",
                        $"No agent answers for this config file any more; nothing is synced until one runs again (log: {logPath})."
                    )
                );
            }
            if (!_active.ContainsKey(AgentCause) && !stopExpected && agentExitCode is { } code)
            {
                _active[AgentCause] = "The agent runs again.";
                raised.Add(
                    code == TrayStateMapper.AuthenticationRejectedExitCode
                        ? new TrayNotification(
                            "FileSync: API key rejected",
                            $"The server rejected the API key and the agent stopped; nothing is synced. Put a valid key in the config file and start the agent again (log: {logPath})."
                        )
                        : new TrayNotification(
                            "FileSync: the agent exited",
                            $"filesync-edge exited with code {code}; nothing is synced until it runs again (log: {logPath})."
                        )
                );
            }
            return raised;
        }
        _sawAgent = true;
        var now = time.GetTimestamp();
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (var w in status.Workspaces)
        {
            if (Stopped(w) is { } stopped)
            {
                var key = $"{w.Path}\n{w.State}";
                present.Add(key);
                if (_active.TryAdd(key, $"{w.Name} syncs again."))
                {
                    raised.Add(stopped);
                }
            }
            var failingKey = $"{w.Path}\nfailing";
            if (w.Errors > 0 && w.ErrorFiles.Count > 0)
            {
                present.Add(failingKey);
                if (!_failingSince.TryGetValue(failingKey, out var since))
                {
                    _failingSince[failingKey] = now;
                }
                else if (
                    time.GetElapsedTime(since, now) >= FailingFilesGrace
                    && _active.TryAdd(failingKey, $"{w.Name}: no more failing files.")
                )
                {
                    raised.Add(
                        new TrayNotification(
                            $"FileSync: {TrayText.Count(w.Errors, "file")} failing in {w.Name}",
                            string.Join(
                                "; ",
                                w.ErrorFiles.Take(3).Select(f => $"{f.Path}: {f.Reason}")
                            ) + (w.Errors > 3 ? $"; and {w.Errors - 3} more (Show status)" : "")
                        )
                    );
                }
            }
            else
            {
                _failingSince.Remove(failingKey);
            }
        }
        // The agent answers: it runs again. Workspaces that recovered (or are gone) leave the set.
        var recovered = _active.Keys.Where(k => k == AgentCause || !present.Contains(k)).ToList();
        var lines = new List<string>();
        foreach (var key in recovered)
        {
            var gone =
                key != AgentCause
                && !status.Workspaces.Any(w =>
                    key.StartsWith(w.Path + "\n", StringComparison.Ordinal)
                );
            if (!gone)
            {
                lines.Add(_active[key]);
            }
            _active.Remove(key);
        }
        if (lines.Count > 0)
        {
            raised.Add(
                new TrayNotification(
                    "FileSync: syncing again",
                    string.Join(" ", lines),
                    IsRecovery: true
                )
            );
        }
        return raised;
    }

    /// <summary>The notification for a workspace that stopped syncing, or null.</summary>
    private static TrayNotification? Stopped(WorkspaceStatusView w)
    {
        var why = w.LastError is { Length: > 0 } e ? " " + e : "";
        return w.State switch
        {
            "refused" => new TrayNotification(
                $"FileSync: {w.Name} is not synced",
                $"The workspace {w.Path} is refused.{why}"
            ),
            "missing" => new TrayNotification(
                $"FileSync: {w.Name} is missing",
                $"The workspace folder {w.Path} is gone; syncing it stopped.{why}"
            ),
            "rootchanged" => new TrayNotification(
                $"FileSync: {w.Name} was replaced",
                $"The workspace folder {w.Path} turned into a link or another folder; syncing it stopped.{why}"
            ),
            "stopped" => new TrayNotification(
                $"FileSync: {w.Name} stopped",
                $"Syncing {w.Path} stopped.{why}"
            ),
            _ => null,
        };
    }
}
