using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.Unicode;
using System.Threading.Channels;
using FileSync.Edge.Protocol;
using FileSync.Edge.Uplink;
using FileSync.Edge.Workspace;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FileSync.Edge.Control;

/// <summary>
/// The control stage: consumes server → edge commands one at a time (from the uplink's bounded
/// queue) and turns them into actions and replies. Every path is checked by <see cref="PathGuard"/>
/// before anything is opened. Each bad command gets exactly one reply (<c>error</c>,
/// <c>workspace:sync_error</c>, or the command's own result carrying an <c>error</c>) and one log
/// line; an unknown type gets a debug log line; nothing stops the loop but cancellation.
/// </summary>
public sealed partial class ControlDispatcher(
    IUplink uplink,
    WorkspaceRegistry workspaces,
    IOptions<SyncOptions> syncOptions,
    IOptions<ControlOptions> controlOptions,
    TimeProvider time,
    ILogger<ControlDispatcher> logger,
    IWorkspaceListStore? workspaceStore = null
)
{
    /// <summary>Most paths one <c>edge:config_update</c> may list.</summary>
    public const int MaxWorkspacesPerUpdate = 256;

    /// <summary>Longest <c>requestId</c> echoed back, in characters.</summary>
    public const int MaxRequestIdLength = 256;

    private static ProtocolJsonContext Json => ProtocolJsonContext.Default;

    private IReadOnlyList<string> AllowedRoots =>
        _allowedRoots ??= controlOptions.Value.EffectiveAllowedRoots();

    private FileRequestHandler Files =>
        _files ??= new FileRequestHandler(workspaces, syncOptions.Value.MaxFileBytes, logger);
    private FileRequestHandler? _files;
    private IReadOnlyList<string>? _allowedRoots;

    public static string AgentVersion { get; } =
        typeof(ControlDispatcher)
            .Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()
            ?.InformationalVersion
        ?? "0.0.0";

    /// <summary>Runs until <paramref name="commands"/> completes or <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunAsync(
        ChannelReader<ProtocolMessage> commands,
        CancellationToken cancellationToken = default
    )
    {
        try
        {
            await foreach (
                var message in commands.ReadAllAsync(cancellationToken).ConfigureAwait(false)
            )
            {
                try
                {
                    await DispatchAsync(message, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    Log.CommandFailed(logger, LogText.Clean(message.Type), ex);
                    await ReplyErrorAsync(
                            message,
                            $"'{message.Type}' failed: {ex.Message}",
                            ErrorCodes.InternalError,
                            cancellationToken
                        )
                        .ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>Handles one command. Internal so tests can drive it without a socket.</summary>
    internal async Task DispatchAsync(
        ProtocolMessage message,
        CancellationToken cancellationToken = default
    )
    {
        if (message.IsMalformed)
        {
            await ReplyErrorAsync(
                    message,
                    message.ParseError!,
                    ErrorCodes.MalformedMessage,
                    cancellationToken
                )
                .ConfigureAwait(false);
            return;
        }
        string error;
        switch (message.Type)
        {
            case MessageTypes.ManifestDiff:
                if (!message.TryReadPayload(Json.ManifestDiffPayload, out var diff, out error))
                {
                    await ReplyErrorAsync(
                            message,
                            error,
                            ErrorCodes.InvalidPayload,
                            cancellationToken
                        )
                        .ConfigureAwait(false);
                    return;
                }
                if (
                    diff.Path is not null
                    && PathGuard.CheckShape(diff.Path) is null
                    && workspaces.Find(diff.Path) is { } target
                )
                {
                    target.OnManifestDiff(diff);
                }
                else
                {
                    Log.UnknownWorkspace(logger, message.Type, LogText.Clean(diff.Path ?? ""));
                }
                return;

            case MessageTypes.ConfigUpdate:
                if (!message.TryReadPayload(Json.ConfigUpdatePayload, out var config, out error))
                {
                    await ReplyErrorAsync(
                            message,
                            error,
                            ErrorCodes.InvalidPayload,
                            cancellationToken
                        )
                        .ConfigureAwait(false);
                    return;
                }
                if (
                    config.EdgeId is { } addressee
                    && uplink.Session?.EdgeId is { } self
                    && !string.Equals(addressee, self, StringComparison.Ordinal)
                )
                {
                    Log.ConfigForAnotherEdge(logger, LogText.Clean(addressee));
                    return;
                }
                if (config.WorkspacePaths is null)
                {
                    await ReplyErrorAsync(
                            message,
                            "'edge:config_update' needs 'workspacepaths' (an array of absolute paths)",
                            ErrorCodes.InvalidPayload,
                            cancellationToken
                        )
                        .ConfigureAwait(false);
                    return;
                }
                if (config.WorkspacePaths.Count > MaxWorkspacesPerUpdate)
                {
                    await ReplyErrorAsync(
                            message,
                            $"'edge:config_update' lists {config.WorkspacePaths.Count} workspaces; at most {MaxWorkspacesPerUpdate} are accepted",
                            ErrorCodes.InvalidPayload,
                            cancellationToken
                        )
                        .ConfigureAwait(false);
                    return;
                }
                await ApplyConfigAsync(config.WorkspacePaths, cancellationToken)
                    .ConfigureAwait(false);
                return;

            case MessageTypes.SyncStart:
            case MessageTypes.SyncStop:
            case MessageTypes.Resync:
                if (
                    !message.TryReadPayload(Json.WorkspacePathPayload, out var workspace, out error)
                )
                {
                    await ReplyErrorAsync(
                            message,
                            error,
                            ErrorCodes.InvalidPayload,
                            cancellationToken
                        )
                        .ConfigureAwait(false);
                    return;
                }
                if (string.IsNullOrWhiteSpace(workspace.Path))
                {
                    await ReplyErrorAsync(
                            message,
                            $"'{message.Type}' needs 'path' (an absolute path)",
                            ErrorCodes.InvalidPayload,
                            cancellationToken
                        )
                        .ConfigureAwait(false);
                    return;
                }
                await (
                    message.Type switch
                    {
                        MessageTypes.SyncStart => StartWorkspaceAsync(
                            workspace.Path,
                            cancellationToken
                        ),
                        MessageTypes.SyncStop => StopWorkspaceAsync(
                            workspace.Path,
                            cancellationToken
                        ),
                        _ => ResyncWorkspaceAsync(workspace.Path, cancellationToken),
                    }
                ).ConfigureAwait(false);
                return;

            case MessageTypes.ChunkRequest:
            case MessageTypes.FrontendChunkRequest:
                if (
                    !message.TryReadPayload(Json.ChunkRequestPayload, out var chunk, out error)
                    || !HasUsableRequestId(chunk.RequestId, ref error)
                )
                {
                    await ReplyErrorAsync(
                            message,
                            error,
                            ErrorCodes.InvalidPayload,
                            cancellationToken
                        )
                        .ConfigureAwait(false);
                    return;
                }
                var replyType =
                    message.Type == MessageTypes.ChunkRequest
                        ? MessageTypes.ChunkResult
                        : MessageTypes.FrontendChunkResult;
                await SendAsync(Files.Answer(message, replyType, uplink.Session), cancellationToken)
                    .ConfigureAwait(false);
                return;

            case MessageTypes.WorkspaceRequest:
                if (
                    !message.TryReadPayload(
                        Json.WorkspaceRequestPayload,
                        out var listing,
                        out error
                    ) || !HasUsableRequestId(listing.RequestId, ref error)
                )
                {
                    await ReplyErrorAsync(
                            message,
                            error,
                            ErrorCodes.InvalidPayload,
                            cancellationToken
                        )
                        .ConfigureAwait(false);
                    return;
                }
                await StartIfConfiguredAsync(listing.Path, cancellationToken).ConfigureAwait(false);
                await SendAsync(
                        EchoingReply.Serialize(
                            MessageTypes.WorkspaceResult,
                            message.Payload,
                            ListWorkspace(listing, cancellationToken),
                            Json.WorkspaceResultPayload
                        ),
                        cancellationToken
                    )
                    .ConfigureAwait(false);
                return;

            case MessageTypes.StatusRequest:
                // No payload, or one without a usable requestId, still gets a status (uncorrelated).
                var requestId =
                    message.TryReadPayload(Json.StatusRequestPayload, out var status, out _)
                    && status.RequestId?.Length <= MaxRequestIdLength
                        ? status.RequestId
                        : null;
                await ReplyAsync(
                        MessageTypes.EdgeStatus,
                        BuildStatus(requestId),
                        Json.EdgeStatusPayload,
                        cancellationToken
                    )
                    .ConfigureAwait(false);
                return;

            case MessageTypes.Error:
            case MessageTypes.ErrorUpperCase:
                // Never answered (an error about an error could ping-pong); a file the server could not
                // apply is retried by its workspace, anything else is logged.
                if (!message.TryReadPayload(Json.ErrorPayload, out var rejection, out error))
                {
                    Log.ServerError(logger, "", "", LogText.Clean(error));
                    return;
                }
                if (
                    rejection.MessageType
                        is MessageTypes.FileCreateSync
                            or MessageTypes.FileModifySync
                            or MessageTypes.FileDeleteSync
                    && rejection.Path is { } rejectedPath
                    && PathGuard.CheckShape(rejectedPath) is null
                    && workspaces.Managers.FirstOrDefault(m =>
                        WorkspacePaths.ToRelativePath(m.RootPath, rejectedPath) is { Length: > 0 }
                    )
                        is { } owner
                )
                {
                    owner.OnServerRejected(
                        WorkspacePaths.ToRelativePath(owner.RootPath, rejectedPath)!,
                        LogText.Clean(rejection.Code ?? ""),
                        LogText.Clean(rejection.Message)
                    );
                    return;
                }
                Log.ServerError(
                    logger,
                    LogText.Clean(rejection.MessageType ?? ""),
                    LogText.Clean(rejection.Code ?? ""),
                    LogText.Clean(rejection.Message)
                );
                return;

            default:
                Log.UnknownCommand(logger, LogText.Clean(message.Type));
                return;
        }
    }

    private static bool HasUsableRequestId(string? requestId, ref string error)
    {
        if (requestId?.Length > MaxRequestIdLength)
        {
            error = $"'requestId' is longer than {MaxRequestIdLength} characters";
            return false;
        }
        return true;
    }

    private async Task ApplyConfigAsync(
        IReadOnlyList<string> paths,
        CancellationToken cancellationToken
    )
    {
        var wanted = new List<string>();
        foreach (var path in paths)
        {
            var root = PathGuard.ResolveRoot(path, AllowedRoots, out var error, out var code);
            if (root is null)
            {
                await RefuseWorkspaceAsync(path ?? "", code, error, cancellationToken)
                    .ConfigureAwait(false);
                continue;
            }
            if (!wanted.Contains(root, PathComparer.Default))
            {
                wanted.Add(root);
            }
        }
        _configured = [.. wanted];
        foreach (var manager in workspaces.Managers)
        {
            // The user's own command line wins: those folders keep syncing whatever the server lists.
            if (
                !wanted.Contains(RealRootOf(manager), PathComparer.Default)
                && !IsCommandLineRoot(manager)
            )
            {
                await workspaces
                    .RemoveAsync(manager.RootPath, cancellationToken)
                    .ConfigureAwait(false);
            }
        }
        var applied = new List<string>();
        foreach (var root in wanted)
        {
            if (FindByRealRoot(root) is not null)
            {
                applied.Add(root);
                continue;
            }
            var (_, error) = await workspaces
                .AddAsync(root, cancellationToken)
                .ConfigureAwait(false);
            if (error.Length > 0)
            {
                await RefuseWorkspaceAsync(root, ErrorCodes.ForbiddenPath, error, cancellationToken)
                    .ConfigureAwait(false);
                continue;
            }
            applied.Add(root);
        }
        Remember(list =>
        {
            list.Clear();
            list.AddRange(applied);
            return true;
        });
    }

    /// <summary>The roots the server's last <c>edge:config_update</c> listed (resolved).</summary>
    private List<string> _configured = [];

    private bool IsCommandLineRoot(WorkspaceSyncManager manager) =>
        controlOptions.Value.CommandLineRoots.Any(root =>
            SamePath(root, manager.RootPath) || SamePath(root, RealRootOf(manager))
        );

    /// <summary>
    /// A <c>ctx:workspace_request</c> for one of the edge's workspaces (the server listed it) that is not
    /// running — it could not start then — starts it now, as the todoforai clients start syncs on demand.
    /// </summary>
    private async Task StartIfConfiguredAsync(string? path, CancellationToken cancellationToken)
    {
        if (path is null || PathGuard.CheckShape(path) is not null || FindActive(path) is not null)
        {
            return;
        }
        var real = FullPathOf(path) is { } full ? PathGuard.ResolveLinks(full, out _) : null;
        if (real is not null && _configured.Any(root => SamePath(root, real)))
        {
            await StartWorkspaceAsync(path, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task StartWorkspaceAsync(string path, CancellationToken cancellationToken)
    {
        var root = PathGuard.ResolveRoot(path, AllowedRoots, out var error, out var code);
        if (root is null)
        {
            await RefuseWorkspaceAsync(path, code, error, cancellationToken).ConfigureAwait(false);
            return;
        }
        if (FindByRealRoot(root) is null)
        {
            (_, error) = await workspaces.AddAsync(root, cancellationToken).ConfigureAwait(false);
            if (error.Length > 0)
            {
                await RefuseWorkspaceAsync(root, ErrorCodes.ForbiddenPath, error, cancellationToken)
                    .ConfigureAwait(false);
                return;
            }
        }
        Remember(list =>
        {
            if (list.Contains(root, PathComparer.Default))
            {
                return false;
            }
            list.Add(root);
            return true;
        });
    }

    private async Task StopWorkspaceAsync(string path, CancellationToken cancellationToken)
    {
        if (PathGuard.CheckShape(path) is { } shapeError)
        {
            await RefuseWorkspaceAsync(
                    path,
                    ErrorCodes.ForbiddenPath,
                    shapeError,
                    cancellationToken
                )
                .ConfigureAwait(false);
            return;
        }
        var manager = FindActive(path);
        var names = new List<string> { path };
        if (manager is not null)
        {
            names.Add(manager.RootPath);
            names.Add(RealRootOf(manager));
            await workspaces.RemoveAsync(manager.RootPath, cancellationToken).ConfigureAwait(false);
        }
        else if (FullPathOf(path) is { } full && PathGuard.ResolveLinks(full, out _) is { } real)
        {
            names.Add(full);
            names.Add(real);
        }
        // Forget it even when it is not running (a remembered folder that was missing at start-up).
        var forgotten = false;
        Remember(list =>
        {
            forgotten = list.RemoveAll(saved => names.Any(name => SamePath(saved, name))) > 0;
            return forgotten;
        });
        if (manager is null && !forgotten)
        {
            await RefuseWorkspaceAsync(
                    path,
                    ErrorCodes.NotFound,
                    $"'{path}' is not an active workspace",
                    cancellationToken
                )
                .ConfigureAwait(false);
        }
    }

    private async Task ResyncWorkspaceAsync(string path, CancellationToken cancellationToken)
    {
        if (PathGuard.CheckShape(path) is { } shapeError)
        {
            await RefuseWorkspaceAsync(
                    path,
                    ErrorCodes.ForbiddenPath,
                    shapeError,
                    cancellationToken
                )
                .ConfigureAwait(false);
            return;
        }
        if (FindActive(path) is { } manager)
        {
            manager.RequestResync();
            return;
        }
        await RefuseWorkspaceAsync(
                path,
                ErrorCodes.NotFound,
                $"'{path}' is not an active workspace",
                cancellationToken
            )
            .ConfigureAwait(false);
    }

    /// <summary>The active workspace named by an absolute <paramref name="path"/> (as given or with links resolved).</summary>
    private WorkspaceSyncManager? FindActive(string path)
    {
        if (workspaces.Find(path) is { } manager)
        {
            return manager;
        }
        return FullPathOf(path) is { } full && PathGuard.ResolveLinks(full, out _) is { } real
            ? FindByRealRoot(real)
            : null;
    }

    private static string? FullPathOf(string path)
    {
        try
        {
            return Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        }
        catch (Exception ex)
            when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return null;
        }
    }

    private WorkspaceSyncManager? FindByRealRoot(string realRoot) =>
        workspaces.Managers.FirstOrDefault(m =>
            SamePath(m.RootPath, realRoot) || SamePath(RealRootOf(m), realRoot)
        );

    private static string RealRootOf(WorkspaceSyncManager manager) =>
        PathGuard.ResolveLinks(manager.RootPath, out _) ?? manager.RootPath;

    private static bool SamePath(string a, string b) =>
        string.Equals(
            Path.TrimEndingDirectorySeparator(a),
            Path.TrimEndingDirectorySeparator(b),
            PathComparer.Comparison
        );

    /// <summary>Applies <paramref name="change"/> to the remembered list; saves when it says something changed.</summary>
    private void Remember(Func<List<string>, bool> change)
    {
        if (workspaceStore is null)
        {
            return;
        }
        try
        {
            var list = workspaceStore.Load().ToList();
            if (change(list))
            {
                workspaceStore.Save(list);
            }
        }
        catch (Exception ex)
            when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            Log.WorkspaceListNotSaved(logger, ex.Message);
        }
    }

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
            Json.SyncErrorPayload,
            cancellationToken
        );
    }

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
            Json.ErrorPayload,
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

    private Task ReplyAsync<T>(
        string type,
        T payload,
        JsonTypeInfo<T> typeInfo,
        CancellationToken cancellationToken
    ) => SendAsync(ProtocolMessage.Serialize(type, payload, typeInfo), cancellationToken);

    /// <summary>Sends on the current session; a reply while disconnected is dropped (the server asks again).</summary>
    private async Task SendAsync(byte[] frame, CancellationToken cancellationToken)
    {
        if (uplink.Session is { } session)
        {
            await uplink.SendAsync(session, frame, cancellationToken).ConfigureAwait(false);
        }
    }
}
