using FileSync.Edge.Control;
using FileSync.Edge.Uplink;
using FileSync.Edge.Workspace;

namespace FileSync.Edge.Local;

/// <summary>The status snapshot, and finding the workspace a request names.</summary>
public sealed partial class LocalCommandHandler
{
    /// <summary>The agent's status now (thread-safe reads of the engine's published state).</summary>
    public AgentStatusView BuildStatus()
    {
        var session = _uplink.Session;
        var state = _uplink.State;
        var problem = _uplink.LastProblem;
        var connection = new ConnectionStatusView
        {
            Server = _uplink.ServerUri.GetLeftPart(UriPartial.Path),
            State = state.ToString().ToLowerInvariant(),
            Since = new DateTimeOffset(Interlocked.Read(ref _connectionSinceTicks), TimeSpan.Zero),
            EdgeId = session?.EdgeId,
            LastError = problem?.Text,
            LastErrorAt = problem?.At,
            NextAttemptAt = state == UplinkState.Connected ? null : _uplink.NextAttemptAt,
        };
        var workspaces = _workspaces.Workspaces.Select(ViewOf).ToList();
        var attention = new List<string>();
        if (state != UplinkState.Connected)
        {
            attention.Add(
                $"not connected to {connection.Server} ({connection.State})"
                    + (problem is null ? "" : ": " + problem.Text)
            );
        }
        foreach (var workspace in workspaces)
        {
            if (workspace.Paused || workspace.Pausing)
            {
                attention.Add($"{workspace.Name}: {(workspace.Paused ? "paused" : "pausing")}");
            }
            if (workspace.State is "refused" or "missing" or "rootchanged" or "stopped")
            {
                attention.Add($"{workspace.Name}: {workspace.State}: {workspace.LastError}");
            }
            if (workspace.Errors > 0)
            {
                attention.Add(
                    $"{workspace.Name}: {workspace.Errors} file{(workspace.Errors == 1 ? "" : "s")} failed"
                );
            }
        }
        return new AgentStatusView
        {
            Version = EdgeStatusReporter.AgentVersion,
            Pid = Environment.ProcessId,
            ConfigPath = _configPath,
            StartedAt = _startedAt,
            Connection = connection,
            Workspaces = workspaces,
            Attention = attention,
        };
    }

    private WorkspaceStatusView ViewOf(IWorkspace workspace)
    {
        var status = workspace.GetStatus();
        return new WorkspaceStatusView
        {
            Path = workspace.RootPath,
            Name = workspace.Name,
            State = status.State,
            Paused = workspace.PauseState == PauseState.Paused,
            Pausing = workspace.PauseState == PauseState.Pausing,
            CommandLine = _workspaceCommands.IsGivenOnCommandLine(workspace),
            Files = status.Files,
            Bytes = status.Bytes,
            Pending = workspace.PendingChanges,
            Skipped = status.Skipped,
            SkippedFiles =
            [
                .. (status.SkippedFiles ?? []).Select(f => new FileProblemView(f.Path, f.Reason)),
            ],
            Withheld = status.Withheld,
            WithheldFiles =
            [
                .. (status.WithheldFiles ?? []).Select(f => new FileProblemView(f.Path, f.Reason)),
            ],
            Errors = status.Errors,
            ErrorFiles =
            [
                .. (status.ErrorFiles ?? []).Select(f => new FileProblemView(f.Path, f.Reason)),
            ],
            LastError = status.LastError,
            InFlightFiles = status.InFlightFiles,
            InFlightBytes = status.InFlightBytes,
            Progress = status.Progress is { } progress
                ? new SyncProgressView
                {
                    FilesDone = progress.FilesDone,
                    FilesTotal = progress.FilesTotal,
                    BytesDone = progress.BytesDone,
                    BytesTotal = progress.BytesTotal,
                }
                : null,
            LastSync = workspace.LastSyncAt,
        };
    }

    /// <summary>The running workspace <paramref name="request"/> names (path, relative path or folder name), or null with the answer to give.</summary>
    private IWorkspace? Find(LocalRequest request, out LocalResponse? problem)
    {
        problem = null;
        var given = request.Workspace;
        if (string.IsNullOrEmpty(given))
        {
            problem = LocalResponse.Failure(
                LocalErrorCodes.UnknownWorkspace,
                $"'{request.Command}' needs a workspace"
            );
            return null;
        }
        var running = _workspaces.Workspaces;
        if (FullPath(request) is { } full && _workspaces.FindFolder(full) is { } byPath)
        {
            return byPath;
        }
        if (given.IndexOfAny(['/', '\\']) < 0)
        {
            var byName = running
                .Where(w => string.Equals(w.Name, given, PathComparer.Comparison))
                .ToList();
            if (byName.Count == 1)
            {
                return byName[0];
            }
            if (byName.Count > 1)
            {
                problem = LocalResponse.Failure(
                    LocalErrorCodes.UnknownWorkspace,
                    $"'{Clip(given)}' names {byName.Count} workspaces ({string.Join(", ", byName.Select(w => w.RootPath))}); give its path"
                );
                return null;
            }
        }
        problem = LocalResponse.Failure(
            LocalErrorCodes.UnknownWorkspace,
            running.Count == 0
                ? $"'{Clip(given)}' is not a workspace of this agent (it has none)"
                : $"'{Clip(given)}' is not a workspace of this agent (its workspaces: {string.Join(", ", running.Select(w => w.RootPath))})"
        );
        return null;
    }

    /// <summary>The request's workspace as an absolute path (relative to the client's directory), or null.</summary>
    private static string? FullPath(LocalRequest request)
    {
        var given = request.Workspace;
        if (string.IsNullOrEmpty(given))
        {
            return null;
        }
        try
        {
            string full;
            if (Path.IsPathFullyQualified(given))
            {
                full = Path.GetFullPath(given);
            }
            else if (request.Cwd is { } cwd && Path.IsPathFullyQualified(cwd))
            {
                full = Path.GetFullPath(given, cwd);
            }
            else
            {
                return null;
            }
            return Path.TrimEndingDirectorySeparator(full) is { Length: > 0 } trimmed
                ? trimmed
                : full;
        }
        catch (Exception ex)
            when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return null;
        }
    }
}
