using FileSync.Edge.Uplink;
using FileSync.Protocol;
using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Workspace.Pipeline;

/// <summary>
/// The workspace's state, moved only along the allowed transitions (<see cref="IsAllowed"/>; any other
/// move throws), and the states it cannot sync in — refused, missing, root changed — each reported to
/// the server once per session. State changes happen on the loop; reads are safe on any thread.
/// </summary>
internal sealed partial class WorkspaceLifecycle(
    string rootPath,
    int maxFiles,
    WorkspaceSender sender,
    IWorkspaceSignals signals,
    ILogger logger
)
{
    private volatile WorkspaceState _state = WorkspaceState.Waiting;
    private volatile string? _lastError;
    private RootIdentity? _rootIdentity;
    private long _refusalReportedEpoch = -1;
    private long _rootChangedReportedEpoch = -1;

    public WorkspaceState State => _state;

    /// <summary>
    /// The last error worth showing a user, or null. Once the root has changed, that reason stays: a watcher
    /// problem reported while the workspace stops (its folder was just replaced) does not overwrite it.
    /// </summary>
    public string? LastError
    {
        get => _lastError;
        set
        {
            if (_state != WorkspaceState.RootChanged)
            {
                _lastError = value;
            }
        }
    }

    /// <summary>Whether a workspace may go from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public static bool IsAllowed(WorkspaceState from, WorkspaceState to) =>
        from == to
        || to == WorkspaceState.Stopped
        || from switch
        {
            WorkspaceState.Waiting or WorkspaceState.Watching => to
                is WorkspaceState.Syncing
                    or WorkspaceState.Refused
                    or WorkspaceState.Missing
                    or WorkspaceState.RootChanged,
            WorkspaceState.Syncing => to
                is WorkspaceState.Watching
                    or WorkspaceState.Refused
                    or WorkspaceState.Missing
                    or WorkspaceState.RootChanged,
            WorkspaceState.Refused or WorkspaceState.Missing => to
                is WorkspaceState.Syncing
                    or WorkspaceState.Refused
                    or WorkspaceState.Missing
                    or WorkspaceState.RootChanged,
            _ => false, // RootChanged and Stopped are final.
        };

    /// <summary>Moves to <paramref name="to"/>; throws when the transition is not allowed.</summary>
    public void MoveTo(WorkspaceState to)
    {
        var from = _state;
        if (!IsAllowed(from, to))
        {
            throw new InvalidOperationException(
                $"Workspace {rootPath}: state {from} cannot change to {to}"
            );
        }
        _state = to;
    }

    /// <summary>Remembers which folder the root is now (see <see cref="RootIdentity"/>).</summary>
    public void RecordRoot() => Volatile.Write(ref _rootIdentity, RootIdentity.Of(rootPath));

    /// <summary>
    /// Looks whether the root is still the folder it was; when it is not, moves to
    /// <see cref="WorkspaceState.RootChanged"/>, sets <see cref="LastError"/> and signals
    /// <see cref="IWorkspaceSignals.RootChanged"/> (the workspace stops for good). True when the root has
    /// changed, now or before. A root that is missing right now is not "changed". On the loop; for a
    /// look without these effects see <see cref="RootStillHolds"/>.
    /// </summary>
    public bool DetectRootChange()
    {
        if (_state == WorkspaceState.RootChanged)
        {
            return true;
        }
        if (RootIdentity.Of(rootPath) is not { } now)
        {
            return false;
        }
        if (_rootIdentity is null)
        {
            Volatile.Write(ref _rootIdentity, now);
            return false;
        }
        if (_rootIdentity.ChangeTo(now) is not { } change)
        {
            return false;
        }
        // The reason first: whoever sees the new state sees why.
        _lastError =
            $"Workspace {rootPath} is no longer the folder it was: {change}. Syncing it stopped; nothing outside it is read. Start it again to sync what it is now.";
        MoveTo(WorkspaceState.RootChanged);
        Log.RootChanged(logger, rootPath, change);
        signals.RootChanged();
        return true;
    }

    /// <summary>A look without state change, safe on any thread: is the root still the folder it was?</summary>
    public bool RootStillHolds() =>
        _state != WorkspaceState.RootChanged
        && (
            Volatile.Read(ref _rootIdentity) is not { } known
            || RootIdentity.Of(rootPath) is not { } now
            || known.ChangeTo(now) is null
        );

    /// <summary>Over the file limit: refused until the count drops (each batch with changes counts again).</summary>
    public async Task RefuseAsync(
        UplinkSession session,
        int count,
        CancellationToken cancellationToken
    )
    {
        var wasRefused = _state == WorkspaceState.Refused;
        MoveTo(WorkspaceState.Refused);
        var message =
            $"Workspace {rootPath} has {count} files, more than the limit of {maxFiles}; it is not synced. "
            + "Exclude folders in a .aishignore file, or raise the limit with --max-files.";
        _lastError = message;
        if (!wasRefused)
        {
            Log.WorkspaceRefused(logger, rootPath, count, maxFiles);
        }
        if (_refusalReportedEpoch != session.Epoch)
        {
            await sender
                .SendErrorAsync(
                    session,
                    ErrorCodes.TooManyFiles,
                    message,
                    cancellationToken,
                    count,
                    maxFiles
                )
                .ConfigureAwait(false);
            _refusalReportedEpoch = session.Epoch;
        }
    }

    public async Task ReportMissingAsync(UplinkSession session, CancellationToken cancellationToken)
    {
        var wasMissing = _state == WorkspaceState.Missing;
        MoveTo(WorkspaceState.Missing);
        var message = $"Workspace {rootPath} does not exist";
        _lastError = message;
        if (!wasMissing)
        {
            Log.WorkspaceMissing(logger, rootPath);
            signals.RootMissing();
        }
        if (_refusalReportedEpoch != session.Epoch)
        {
            await sender
                .SendErrorAsync(session, ErrorCodes.NotFound, message, cancellationToken)
                .ConfigureAwait(false);
            _refusalReportedEpoch = session.Epoch;
        }
    }

    public async Task ReportRootChangedAsync(
        UplinkSession session,
        CancellationToken cancellationToken
    )
    {
        // Reported once per connection on its own: a "missing" sent a moment before (the root deleted,
        // then replaced by a link) must not hide it.
        if (_rootChangedReportedEpoch != session.Epoch)
        {
            _rootChangedReportedEpoch = session.Epoch;
            await sender
                .SendErrorAsync(
                    session,
                    ErrorCodes.RootChanged,
                    _lastError ?? "workspace root changed",
                    cancellationToken
                )
                .ConfigureAwait(false);
        }
    }
}
