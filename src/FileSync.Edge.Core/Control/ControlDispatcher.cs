using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.Unicode;
using System.Threading.Channels;
using FileSync.Edge.Uplink;
using FileSync.Edge.Workspace;
using FileSync.Protocol;
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
                if (!message.TryReadPayload<ManifestDiffPayload>(out var diff, out error))
                {
                    await RejectPayloadAsync(message, error, cancellationToken)
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

            case MessageTypes.TreeRequest:
                if (!message.TryReadPayload<TreeRequestPayload>(out var treeRequest, out error))
                {
                    await RejectPayloadAsync(message, error, cancellationToken)
                        .ConfigureAwait(false);
                    return;
                }
                if (
                    treeRequest.Path is not null
                    && PathGuard.CheckShape(treeRequest.Path) is null
                    && workspaces.Find(treeRequest.Path) is { } treeTarget
                    && treeTarget.OnTreeRequest(treeRequest)
                )
                {
                    return;
                }
                Log.UnknownWorkspace(logger, message.Type, LogText.Clean(treeRequest.Path ?? ""));
                return;

            case MessageTypes.ConfigUpdate:
                if (!message.TryReadPayload<ConfigUpdatePayload>(out var config, out error))
                {
                    await RejectPayloadAsync(message, error, cancellationToken)
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
                if (!message.TryReadPayload<WorkspacePathPayload>(out var workspace, out error))
                {
                    await RejectPayloadAsync(message, error, cancellationToken)
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
                    !message.TryReadPayload<ChunkRequestPayload>(out var chunk, out error)
                    || !HasUsableRequestId(chunk.RequestId, ref error)
                )
                {
                    await RejectPayloadAsync(message, error, cancellationToken)
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
                    !message.TryReadPayload<WorkspaceRequestPayload>(out var listing, out error)
                    || !HasUsableRequestId(listing.RequestId, ref error)
                )
                {
                    await RejectPayloadAsync(message, error, cancellationToken)
                        .ConfigureAwait(false);
                    return;
                }
                await StartIfConfiguredAsync(listing.Path, cancellationToken).ConfigureAwait(false);
                await SendAsync(
                        EchoingReply.Serialize(
                            MessageTypes.WorkspaceResult,
                            message.Payload,
                            ListWorkspace(listing, cancellationToken)
                        ),
                        cancellationToken
                    )
                    .ConfigureAwait(false);
                return;

            case MessageTypes.StatusRequest:
                // No payload, or one without a usable requestId, still gets a status (uncorrelated).
                var requestId =
                    message.TryReadPayload<StatusRequestPayload>(out var status, out _)
                    && status.RequestId?.Length <= MaxRequestIdLength
                        ? status.RequestId
                        : null;
                await ReplyAsync(MessageTypes.EdgeStatus, BuildStatus(requestId), cancellationToken)
                    .ConfigureAwait(false);
                return;

            case MessageTypes.Error:
            case MessageTypes.ErrorUpperCase:
                // Never answered (an error about an error could ping-pong); a file the server could not
                // apply is retried by its workspace, anything else is logged.
                if (!message.TryReadPayload<ErrorPayload>(out var rejection, out error))
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
}
