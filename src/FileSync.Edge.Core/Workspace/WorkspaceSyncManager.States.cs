using FileSync.Edge.Uplink;
using FileSync.Protocol;

namespace FileSync.Edge.Workspace;

/// <summary>The states a workspace cannot sync in: refused, root changed, missing.</summary>
public sealed partial class WorkspaceSyncManager
{
    private async Task RefuseAsync(
        UplinkSession session,
        int count,
        CancellationToken cancellationToken
    )
    {
        var wasRefused = _state == WorkspaceState.Refused;
        _state = WorkspaceState.Refused;
        var message =
            $"Workspace {RootPath} has {count} files, more than the limit of {_options.MaxFiles}; it is not synced. "
            + "Exclude folders in a .aishignore file, or raise the limit with --max-files.";
        _lastError = message;
        if (!wasRefused)
        {
            Log.WorkspaceRefused(_logger, RootPath, count, _options.MaxFiles);
        }
        // Changes keep arriving as dirty paths: each batch with some counts again, and the workspace
        // resumes by itself once it is under the limit.
        if (_refusalReportedEpoch != session.Epoch)
        {
            await SendOrThrowAsync(
                    session,
                    _messages.SyncError(
                        session,
                        ErrorCodes.TooManyFiles,
                        message,
                        count,
                        _options.MaxFiles
                    ),
                    cancellationToken
                )
                .ConfigureAwait(false);
            _refusalReportedEpoch = session.Epoch;
        }
    }

    /// <summary>
    /// False when the root is no longer the folder it was (see <see cref="RootIdentity"/>): the workspace
    /// then stops for good, watcher and polling included. A root that is missing right now is not "changed".
    /// </summary>
    private bool RootIsUnchanged()
    {
        if (_state == WorkspaceState.RootChanged)
        {
            return false;
        }
        if (RootIdentity.Of(RootPath) is not { } now)
        {
            return true;
        }
        if (_rootIdentity is null)
        {
            _rootIdentity = now;
            return true;
        }
        if (_rootIdentity.ChangeTo(now) is not { } change)
        {
            return true;
        }
        _state = WorkspaceState.RootChanged;
        _lastError =
            $"Workspace {RootPath} is no longer the folder it was: {change}. Syncing it stopped; nothing outside it is read. Start it again to sync what it is now.";
        Log.RootChanged(_logger, RootPath, change);
        _watcher?.Dispose();
        _watcher = null;
        StopPolling();
        lock (_dirtyGate)
        {
            _dirty.Clear();
            _unsettled.Clear();
        }
        return false;
    }

    private long _rootChangedReportedEpoch = -1;

    private async Task ReportRootChangedAsync(
        UplinkSession session,
        CancellationToken cancellationToken
    )
    {
        // Reported once per connection on its own: a "missing" sent a moment before (the root deleted,
        // then replaced by a link) must not hide it.
        if (_rootChangedReportedEpoch != session.Epoch)
        {
            _rootChangedReportedEpoch = session.Epoch;
            await SendOrThrowAsync(
                    session,
                    _messages.SyncError(
                        session,
                        ErrorCodes.RootChanged,
                        _lastError ?? "workspace root changed"
                    ),
                    cancellationToken
                )
                .ConfigureAwait(false);
        }
    }

    private async Task ReportMissingAsync(
        UplinkSession session,
        CancellationToken cancellationToken
    )
    {
        var wasMissing = _state == WorkspaceState.Missing;
        _state = WorkspaceState.Missing;
        _lastError = $"Workspace {RootPath} does not exist";
        if (!wasMissing)
        {
            Log.WorkspaceMissing(_logger, RootPath);
            _watcher?.Dispose();
            _watcher = null;
            StartPolling();
        }
        if (_refusalReportedEpoch != session.Epoch)
        {
            await SendOrThrowAsync(
                    session,
                    _messages.SyncError(session, ErrorCodes.NotFound, _lastError),
                    cancellationToken
                )
                .ConfigureAwait(false);
            _refusalReportedEpoch = session.Epoch;
        }
    }
}
