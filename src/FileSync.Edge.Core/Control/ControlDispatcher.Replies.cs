using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using FileSync.Edge.Workspace;
using FileSync.Protocol;

namespace FileSync.Edge.Control;

/// <summary>Replies: workspace listings, status, refusals and errors, and sending them.</summary>
public sealed partial class ControlDispatcher
{
    private WorkspaceResultPayload ListWorkspace(
        WorkspaceRequestPayload request,
        CancellationToken cancellationToken
    )
    {
        var managers = workspaces.Managers;
        var manager =
            request.Path is null ? (managers.Count == 1 ? managers[0] : null)
            : PathGuard.CheckShape(request.Path) is null ? FindActive(request.Path)
            : null;
        if (manager is null)
        {
            Log.CommandRejected(
                logger,
                ErrorCodes.NotFound,
                $"ctx:workspace_request for {LogText.Clean(request.Path ?? "(no path)")}: not an active workspace"
            );
            return new WorkspaceResultPayload
            {
                RequestId = request.RequestId,
                Path = request.Path?.Length <= PathGuard.MaxPathLength ? request.Path : "",
                Error = request.Path is null
                    ? "'path' is required when more than one workspace is active"
                    : "not an active workspace",
                Code = ErrorCodes.NotFound,
            };
        }
        var maxFiles = syncOptions.Value.MaxFiles;
        var files =
            manager.State == WorkspaceState.Refused ? null : manager.ListFiles(cancellationToken);
        if (files is null || files.Count > maxFiles)
        {
            return new WorkspaceResultPayload
            {
                RequestId = request.RequestId,
                Path = manager.RootPath,
                Error = $"the workspace has more than {maxFiles} files and is not synced",
                Code = ErrorCodes.TooManyFiles,
            };
        }
        var (_, filteredFiles, filteredDirectories) = manager.Describe(cancellationToken);
        var basePath =
            request.Path is { } given && PathGuard.CheckShape(given) is null
                ? Path.TrimEndingDirectorySeparator(given)
                : manager.RootPath;
        return new WorkspaceResultPayload
        {
            RequestId = request.RequestId,
            Path = manager.RootPath,
            Files = files,
            UserId = request.UserId ?? "",
            AgentId = request.AgentId ?? "",
            ProjectFiles = Absolute(basePath, files),
            FilteredFiles = Absolute(basePath, filteredFiles.Take(MaxFilteredEntries)),
            FilteredDirs = Absolute(basePath, filteredDirectories.Take(MaxFilteredEntries)),
        };
    }

    /// <summary>Most entries <c>filtered_files</c> and <c>filtered_dirs</c> list (the frame must stay under 5 MB).</summary>
    public const int MaxFilteredEntries = 10_000;

    private static List<string> Absolute(string basePath, IEnumerable<string> relativePaths) =>
        [
            .. relativePaths.Select(relative =>
                Path.Join(basePath, relative.Replace('/', Path.DirectorySeparatorChar))
            ),
        ];

    private EdgeStatusPayload BuildStatus(string? requestId)
    {
        var session = uplink.Session;
        return new EdgeStatusPayload
        {
            RequestId = requestId,
            EdgeId = session?.EdgeId,
            Version = AgentVersion,
            ConnectedSeconds = session is null
                ? 0
                : Math.Round(time.GetElapsedTime(session.ConnectedTimestamp).TotalSeconds, 1),
            Workspaces = [.. workspaces.Managers.Select(m => m.GetStatus())],
        };
    }

    private Task RefuseWorkspaceAsync(
        string path,
        string code,
        string message,
        CancellationToken cancellationToken
    )
    {
        Log.WorkspaceRefused(logger, code, LogText.Clean(message));
        var session = uplink.Session;
        return ReplyAsync(
            MessageTypes.SyncError,
            new SyncErrorPayload
            {
                Path =
                    path.Length <= PathGuard.MaxPathLength ? path : path[..PathGuard.MaxPathLength],
                Code = code,
                Message = message,
                EdgeId = session?.EdgeId,
                UserId = session?.UserId,
            },
            cancellationToken
        );
    }

    /// <summary>The one reply to a command whose payload has the wrong shape: <c>error</c> with <c>invalid_payload</c>.</summary>
    private Task RejectPayloadAsync(
        ProtocolMessage command,
        string error,
        CancellationToken cancellationToken
    ) => ReplyErrorAsync(command, error, ErrorCodes.InvalidPayload, cancellationToken);

    private Task ReplyErrorAsync(
        ProtocolMessage command,
        string message,
        string code,
        CancellationToken cancellationToken
    )
    {
        Log.CommandRejected(logger, code, LogText.Clean(message));
        var known = command.Type.Length is > 0 and <= 64 ? command.Type : null;
        return ReplyAsync(
            MessageTypes.Error,
            new ErrorPayload
            {
                Message = message,
                Code = code,
                Command = known,
                RequestId = RequestIdOf(command),
            },
            cancellationToken
        );
    }

    /// <summary>The command's <c>requestId</c> when it is a usable string, whatever else is wrong with the payload.</summary>
    private static string? RequestIdOf(ProtocolMessage command)
    {
        if (
            command.Payload.ValueKind != JsonValueKind.Object
            || !command.Payload.TryGetProperty("requestId", out var id)
            || id.ValueKind != JsonValueKind.String
        )
        {
            return null;
        }
        try
        {
            return id.GetString() is { Length: <= MaxRequestIdLength } text ? text : null;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private Task ReplyAsync<T>(string type, T payload, CancellationToken cancellationToken) =>
        SendAsync(ProtocolMessage.Serialize(type, payload), cancellationToken);

    /// <summary>
    /// Sends a JSON frame on the current session, in that session's wire format; a reply while
    /// disconnected is dropped (the server asks again).
    /// </summary>
    private async Task SendAsync(byte[] jsonFrame, CancellationToken cancellationToken)
    {
        if (uplink.Session is { } session)
        {
            ProtocolMessage.Encode(jsonFrame, session.Format, out var frame);
            await uplink.SendAsync(session, frame, cancellationToken).ConfigureAwait(false);
        }
    }
}
