using System.Reflection;
using System.Text;
using System.Text.Unicode;
using FileSync.Edge.Protocol;
using FileSync.Edge.Uplink;
using FileSync.Edge.Workspace;
using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Control;

/// <summary>
/// Consumes server → edge commands (one at a time, from the uplink's bounded queue) and turns them
/// into actions and replies. Every path is checked by <see cref="PathGuard"/> before anything is opened;
/// a bad command gets one <c>error</c> reply and never stops the loop.
/// </summary>
public sealed partial class ControlDispatcher(UplinkConnection uplink, WorkspaceRegistry workspaces, TimeProvider time, ILogger<ControlDispatcher> logger)
{
    private static ProtocolJsonContext Json => ProtocolJsonContext.Default;

    public static string AgentVersion { get; } =
        typeof(ControlDispatcher).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    /// <summary>Runs until the uplink's command queue completes or <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await foreach (var message in uplink.Commands.ReadAllAsync(cancellationToken).ConfigureAwait(false))
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
                    Log.CommandFailed(logger, message.Type, ex);
                    await ReplyErrorAsync($"'{message.Type}' failed: {ex.Message}", "internal_error", cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>Handles one command. Internal so tests can drive it without a socket.</summary>
    internal async Task DispatchAsync(ProtocolMessage message, CancellationToken cancellationToken)
    {
        string error;
        switch (message.Type)
        {
            case MessageTypes.ManifestDiff:
                if (!message.TryReadPayload(Json.ManifestDiffPayload, out var diff, out error))
                {
                    await ReplyErrorAsync(error, ErrorCodes.InvalidPayload, cancellationToken).ConfigureAwait(false);
                    return;
                }
                if (diff!.Path is not null && workspaces.Find(diff.Path) is { } target)
                {
                    target.OnManifestDiff(diff);
                }
                else
                {
                    Log.UnknownWorkspace(logger, message.Type, diff.Path ?? "");
                }
                return;

            case MessageTypes.ConfigUpdate:
                if (!message.TryReadPayload(Json.ConfigUpdatePayload, out var config, out error) || config!.WorkspacePaths is null)
                {
                    await ReplyErrorAsync(error.Length > 0 ? error : "'edge:config_update' needs 'workspacepaths'", ErrorCodes.InvalidPayload, cancellationToken)
                        .ConfigureAwait(false);
                    return;
                }
                await ApplyConfigAsync(config.WorkspacePaths, cancellationToken).ConfigureAwait(false);
                return;

            case MessageTypes.SyncStart:
            case MessageTypes.SyncStop:
            case MessageTypes.Resync:
                if (!message.TryReadPayload(Json.WorkspacePathPayload, out var target2, out error) || string.IsNullOrWhiteSpace(target2!.Path))
                {
                    await ReplyErrorAsync(error.Length > 0 ? error : $"'{message.Type}' needs 'path'", ErrorCodes.InvalidPayload, cancellationToken).ConfigureAwait(false);
                    return;
                }
                await ApplyWorkspaceCommandAsync(message.Type, target2.Path, cancellationToken).ConfigureAwait(false);
                return;

            case MessageTypes.ChunkRequest:
                if (!message.TryReadPayload(Json.ChunkRequestPayload, out var chunk, out error))
                {
                    await ReplyErrorAsync(error, ErrorCodes.InvalidPayload, cancellationToken).ConfigureAwait(false);
                    return;
                }
                await ReplyAsync(MessageTypes.ChunkResult, ReadChunk(chunk!), Json.ChunkResultPayload, cancellationToken).ConfigureAwait(false);
                return;

            case MessageTypes.WorkspaceRequest:
                if (!message.TryReadPayload(Json.WorkspaceRequestPayload, out var listing, out error))
                {
                    await ReplyErrorAsync(error, ErrorCodes.InvalidPayload, cancellationToken).ConfigureAwait(false);
                    return;
                }
                await ReplyAsync(MessageTypes.WorkspaceResult, ListWorkspace(listing!, cancellationToken), Json.WorkspaceResultPayload, cancellationToken)
                    .ConfigureAwait(false);
                return;

            case MessageTypes.StatusRequest:
                message.TryReadPayload(Json.StatusRequestPayload, out var status, out _);
                await ReplyAsync(MessageTypes.EdgeStatus, BuildStatus(status?.RequestId), Json.EdgeStatusPayload, cancellationToken).ConfigureAwait(false);
                return;

            default:
                Log.UnknownCommand(logger, message.Type.Length > 100 ? message.Type[..100] : message.Type);
                return;
        }
    }

    private async Task ApplyConfigAsync(IReadOnlyList<string> paths, CancellationToken cancellationToken)
    {
        var wanted = new List<string>();
        foreach (var path in paths.Distinct(StringComparer.Ordinal))
        {
            var root = WorkspaceRootValidator.Validate(path, out var error);
            if (root is null)
            {
                await ReplySyncErrorAsync(path ?? "", CodeFor(error), error, cancellationToken).ConfigureAwait(false);
                continue;
            }
            wanted.Add(root);
        }
        foreach (var manager in workspaces.Managers)
        {
            if (!wanted.Contains(manager.RootPath, PathComparer.Default))
            {
                await workspaces.RemoveAsync(manager.RootPath, cancellationToken).ConfigureAwait(false);
            }
        }
        foreach (var root in wanted)
        {
            var (_, error) = await workspaces.AddAsync(root, cancellationToken).ConfigureAwait(false);
            if (error.Length > 0)
            {
                await ReplySyncErrorAsync(root, CodeFor(error), error, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task ApplyWorkspaceCommandAsync(string type, string path, CancellationToken cancellationToken)
    {
        switch (type)
        {
            case MessageTypes.SyncStart:
                var (_, error) = await workspaces.AddAsync(path, cancellationToken).ConfigureAwait(false);
                if (error.Length > 0)
                {
                    await ReplySyncErrorAsync(path, CodeFor(error), error, cancellationToken).ConfigureAwait(false);
                }
                return;
            case MessageTypes.SyncStop:
                if (!await workspaces.RemoveAsync(path, cancellationToken).ConfigureAwait(false))
                {
                    await ReplySyncErrorAsync(path, ErrorCodes.NotFound, $"'{path}' is not an active workspace", cancellationToken).ConfigureAwait(false);
                }
                return;
            default:
                if (workspaces.Find(path) is { } manager)
                {
                    manager.RequestResync();
                }
                else
                {
                    await ReplySyncErrorAsync(path, ErrorCodes.NotFound, $"'{path}' is not an active workspace", cancellationToken).ConfigureAwait(false);
                }
                return;
        }
    }

    private ChunkResultPayload ReadChunk(ChunkRequestPayload request)
    {
        var resolution = PathGuard.Resolve(workspaces.Managers, request.Path);
        if (resolution.Workspace is null)
        {
            Log.PathRefused(logger, resolution.Error!);
            return new ChunkResultPayload { RequestId = request.RequestId, Path = request.Path, Error = resolution.Error, Code = ErrorCodes.ForbiddenPath };
        }
        var result = resolution.Workspace.ReadForServer(resolution.RelativePath);
        return result.Status switch
        {
            FileReadStatus.Ok or FileReadStatus.Unchanged when result.Content is { } content => new ChunkResultPayload
            {
                RequestId = request.RequestId,
                Path = request.Path,
                Content = Utf8.IsValid(content) ? Encoding.UTF8.GetString(content) : Convert.ToBase64String(content),
                Encoding = Utf8.IsValid(content) ? ContentEncodings.Utf8 : ContentEncodings.Base64,
            },
            FileReadStatus.TooLarge => Failed(request, $"file is larger than the limit ({result.Size} bytes)", ErrorCodes.TooLarge),
            FileReadStatus.Binary => Failed(request, "file is binary", ErrorCodes.Binary),
            FileReadStatus.Missing => Failed(request, "file not found", ErrorCodes.NotFound),
            FileReadStatus.NotAFile => Failed(request, "not a regular file", ErrorCodes.NotFound),
            FileReadStatus.Unstable => Failed(request, "file is being written; retry", ErrorCodes.Unreadable),
            _ => Failed(request, result.Error ?? "file cannot be read", ErrorCodes.Unreadable),
        };

        static ChunkResultPayload Failed(ChunkRequestPayload request, string error, string code) =>
            new() { RequestId = request.RequestId, Path = request.Path, Error = error, Code = code };
    }

    private WorkspaceResultPayload ListWorkspace(WorkspaceRequestPayload request, CancellationToken cancellationToken)
    {
        var manager = request.Path is null ? (workspaces.Managers.Count == 1 ? workspaces.Managers[0] : null) : workspaces.Find(request.Path);
        if (manager is null)
        {
            return new WorkspaceResultPayload
            {
                RequestId = request.RequestId,
                Path = request.Path ?? "",
                Error = "not an active workspace",
                Code = ErrorCodes.NotFound,
            };
        }
        return new WorkspaceResultPayload { RequestId = request.RequestId, Path = manager.RootPath, Files = manager.ListFiles(cancellationToken) };
    }

    private EdgeStatusPayload BuildStatus(string? requestId)
    {
        var session = uplink.Session;
        return new EdgeStatusPayload
        {
            RequestId = requestId,
            EdgeId = session?.EdgeId,
            Version = AgentVersion,
            ConnectedSeconds = session is null ? 0 : Math.Round(time.GetElapsedTime(session.ConnectedTimestamp).TotalSeconds, 1),
            Workspaces = [.. workspaces.Managers.Select(m => m.GetStatus())],
        };
    }

    private static string CodeFor(string error) =>
        error.Contains("does not exist", StringComparison.Ordinal) ? ErrorCodes.NotFound : ErrorCodes.ForbiddenPath;

    private Task ReplySyncErrorAsync(string path, string code, string message, CancellationToken cancellationToken) =>
        ReplyAsync(MessageTypes.SyncError, new SyncErrorPayload { Path = path, Code = code, Message = message }, Json.SyncErrorPayload, cancellationToken);

    private Task ReplyErrorAsync(string message, string code, CancellationToken cancellationToken)
    {
        Log.CommandRejected(logger, code, message);
        return ReplyAsync(MessageTypes.Error, new ErrorPayload { Message = message, Code = code }, Json.ErrorPayload, cancellationToken);
    }

    private async Task ReplyAsync<T>(string type, T payload, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        await uplink.SendAsync(ProtocolMessage.Serialize(type, payload, typeInfo), cancellationToken).ConfigureAwait(false);
    }

    // Event ids 400-499: control.
    private static partial class Log
    {
        [LoggerMessage(400, LogLevel.Debug, "Ignored unknown command type '{Type}'", EventName = "UnknownCommand")]
        public static partial void UnknownCommand(ILogger logger, string type);

        [LoggerMessage(401, LogLevel.Warning, "Rejected a command ({Code}): {Reason}", EventName = "CommandRejected")]
        public static partial void CommandRejected(ILogger logger, string code, string reason);

        [LoggerMessage(402, LogLevel.Warning, "Refused a server path: {Reason}", EventName = "PathRefused")]
        public static partial void PathRefused(ILogger logger, string reason);

        [LoggerMessage(403, LogLevel.Error, "Command '{Type}' failed", EventName = "CommandFailed")]
        public static partial void CommandFailed(ILogger logger, string type, Exception exception);

        [LoggerMessage(404, LogLevel.Debug, "'{Type}' names no active workspace: {Path}", EventName = "UnknownWorkspace")]
        public static partial void UnknownWorkspace(ILogger logger, string type, string path);
    }
}
