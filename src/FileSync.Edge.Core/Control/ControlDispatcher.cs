using System.Threading.Channels;
using FileSync.Edge.Uplink;
using FileSync.Edge.Workspace;
using FileSync.Protocol;
using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Control;

/// <summary>
/// The control stage's router: consumes server → edge commands one at a time (from the uplink's
/// bounded queue), checks each payload's shape and hands the command to the part that carries it out —
/// <see cref="WorkspaceCommands"/> (start, stop, resync, config), <see cref="FileRequestHandler"/>
/// (file reads), <see cref="WorkspaceRequestHandler"/> (listings), <see cref="EdgeStatusReporter"/>
/// (status) or the workspace a manifest answer or server error is about. Replies go through
/// <see cref="ControlReplies"/>. Each bad command gets exactly one reply (<c>error</c>,
/// <c>workspace:sync_error</c>, or the command's own result carrying an <c>error</c>) and one log line;
/// an unknown type gets a debug log line; nothing stops the loop but cancellation.
/// </summary>
public sealed class ControlDispatcher(
    IUplink uplink,
    WorkspaceRegistry workspaces,
    WorkspaceCommands workspaceCommands,
    FileRequestHandler files,
    WorkspaceRequestHandler listings,
    EdgeStatusReporter statusReporter,
    ControlReplies replies,
    ILogger<ControlDispatcher> logger
)
{
    /// <summary>Most paths one <c>edge:config_update</c> may list.</summary>
    public const int MaxWorkspacesPerUpdate = 256;

    /// <summary>Longest <c>requestId</c> echoed back, in characters.</summary>
    public const int MaxRequestIdLength = 256;

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
                    ControlLog.CommandFailed(logger, LogText.Clean(message.Type), ex);
                    await replies
                        .ReplyErrorAsync(
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
    ) => await RouteAsync(message, cancellationToken).ConfigureAwait(false);

    /// <summary>The message type decides the handler.</summary>
    private Task RouteAsync(ProtocolMessage message, CancellationToken cancellationToken)
    {
        if (message.IsMalformed)
        {
            return replies.ReplyErrorAsync(
                message,
                message.ParseError!,
                ErrorCodes.MalformedMessage,
                cancellationToken
            );
        }
        switch (message.Type)
        {
            case MessageTypes.ManifestDiff:
                return OnManifestDiffAsync(message, cancellationToken);
            case MessageTypes.TreeRequest:
                return OnTreeRequestAsync(message, cancellationToken);
            case MessageTypes.FileDoneAck:
                return OnFileDoneAckAsync(message, cancellationToken);
            case MessageTypes.ConfigUpdate:
                return OnConfigUpdateAsync(message, cancellationToken);
            case MessageTypes.SyncStart:
            case MessageTypes.SyncStop:
            case MessageTypes.Resync:
                return OnWorkspaceCommandAsync(message, cancellationToken);
            case MessageTypes.ChunkRequest:
            case MessageTypes.FrontendChunkRequest:
                return OnChunkRequestAsync(message, cancellationToken);
            case MessageTypes.WorkspaceRequest:
                return OnWorkspaceRequestAsync(message, cancellationToken);
            case MessageTypes.StatusRequest:
                return OnStatusRequestAsync(message, cancellationToken);
            case MessageTypes.Error:
            case MessageTypes.ErrorUpperCase:
                OnServerError(message);
                return Task.CompletedTask;
            default:
                ControlLog.UnknownCommand(logger, LogText.Clean(message.Type));
                return Task.CompletedTask;
        }
    }

    private Task OnFileDoneAckAsync(ProtocolMessage message, CancellationToken cancellationToken)
    {
        if (!message.TryReadPayload<WorkspacePathPayload>(out var ack, out var error))
        {
            return replies.RejectPayloadAsync(message, error, cancellationToken);
        }
        if (WorkspaceAt(ack.Path) is { } target)
        {
            target.OnDoneAcknowledged();
        }
        else
        {
            ControlLog.UnknownWorkspace(logger, message.Type, LogText.Clean(ack.Path ?? ""));
        }
        return Task.CompletedTask;
    }

    private Task OnManifestDiffAsync(ProtocolMessage message, CancellationToken cancellationToken)
    {
        if (!message.TryReadPayload<ManifestDiffPayload>(out var diff, out var error))
        {
            return replies.RejectPayloadAsync(message, error, cancellationToken);
        }
        if (WorkspaceAt(diff.Path) is { } target)
        {
            target.OnManifestDiff(diff);
        }
        else
        {
            ControlLog.UnknownWorkspace(logger, message.Type, LogText.Clean(diff.Path ?? ""));
        }
        return Task.CompletedTask;
    }

    private Task OnTreeRequestAsync(ProtocolMessage message, CancellationToken cancellationToken)
    {
        if (!message.TryReadPayload<TreeRequestPayload>(out var request, out var error))
        {
            return replies.RejectPayloadAsync(message, error, cancellationToken);
        }
        if (WorkspaceAt(request.Path) is not { } target || !target.OnTreeRequest(request))
        {
            ControlLog.UnknownWorkspace(logger, message.Type, LogText.Clean(request.Path ?? ""));
        }
        return Task.CompletedTask;
    }

    private async Task OnConfigUpdateAsync(
        ProtocolMessage message,
        CancellationToken cancellationToken
    )
    {
        if (!message.TryReadPayload<ConfigUpdatePayload>(out var config, out var error))
        {
            await replies
                .RejectPayloadAsync(message, error, cancellationToken)
                .ConfigureAwait(false);
            return;
        }
        if (
            config.EdgeId is { } addressee
            && uplink.Session?.EdgeId is { } self
            && !string.Equals(addressee, self, StringComparison.Ordinal)
        )
        {
            ControlLog.ConfigForAnotherEdge(logger, LogText.Clean(addressee));
            return;
        }
        if (config.WorkspacePaths is null)
        {
            await replies
                .ReplyErrorAsync(
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
            await replies
                .ReplyErrorAsync(
                    message,
                    $"'edge:config_update' lists {config.WorkspacePaths.Count} workspaces; at most {MaxWorkspacesPerUpdate} are accepted",
                    ErrorCodes.InvalidPayload,
                    cancellationToken
                )
                .ConfigureAwait(false);
            return;
        }
        var refusals = await workspaceCommands
            .ApplyConfigAsync(config.WorkspacePaths, cancellationToken)
            .ConfigureAwait(false);
        foreach (var refusal in refusals)
        {
            await replies.RefuseWorkspaceAsync(refusal, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task OnWorkspaceCommandAsync(
        ProtocolMessage message,
        CancellationToken cancellationToken
    )
    {
        if (!message.TryReadPayload<WorkspacePathPayload>(out var workspace, out var error))
        {
            await replies
                .RejectPayloadAsync(message, error, cancellationToken)
                .ConfigureAwait(false);
            return;
        }
        if (string.IsNullOrWhiteSpace(workspace.Path))
        {
            await replies
                .ReplyErrorAsync(
                    message,
                    $"'{message.Type}' needs 'path' (an absolute path)",
                    ErrorCodes.InvalidPayload,
                    cancellationToken
                )
                .ConfigureAwait(false);
            return;
        }
        var refusal = message.Type switch
        {
            MessageTypes.SyncStart => await workspaceCommands
                .StartAsync(workspace.Path, cancellationToken)
                .ConfigureAwait(false),
            MessageTypes.SyncStop => await workspaceCommands
                .StopAsync(workspace.Path, cancellationToken)
                .ConfigureAwait(false),
            _ => workspaceCommands.Resync(workspace.Path),
        };
        if (refusal is not null)
        {
            await replies.RefuseWorkspaceAsync(refusal, cancellationToken).ConfigureAwait(false);
        }
    }

    private Task OnChunkRequestAsync(ProtocolMessage message, CancellationToken cancellationToken)
    {
        if (
            !message.TryReadPayload<ChunkRequestPayload>(out var chunk, out var error)
            || !HasUsableRequestId(chunk.RequestId, ref error)
        )
        {
            return replies.RejectPayloadAsync(message, error, cancellationToken);
        }
        var replyType =
            message.Type == MessageTypes.ChunkRequest
                ? MessageTypes.ChunkResult
                : MessageTypes.FrontendChunkResult;
        return replies.SendAsync(
            files.Answer(message, replyType, uplink.Session),
            cancellationToken
        );
    }

    private async Task OnWorkspaceRequestAsync(
        ProtocolMessage message,
        CancellationToken cancellationToken
    )
    {
        if (
            !message.TryReadPayload<WorkspaceRequestPayload>(out var listing, out var error)
            || !HasUsableRequestId(listing.RequestId, ref error)
        )
        {
            await replies
                .RejectPayloadAsync(message, error, cancellationToken)
                .ConfigureAwait(false);
            return;
        }
        if (
            await workspaceCommands
                .StartIfConfiguredAsync(listing.Path, cancellationToken)
                .ConfigureAwait(false) is
            { } refusal
        )
        {
            await replies.RefuseWorkspaceAsync(refusal, cancellationToken).ConfigureAwait(false);
        }
        await replies
            .SendAsync(listings.Answer(message, listing, cancellationToken), cancellationToken)
            .ConfigureAwait(false);
    }

    private Task OnStatusRequestAsync(ProtocolMessage message, CancellationToken cancellationToken)
    {
        // No payload, or one without a usable requestId, still gets a status (uncorrelated).
        var requestId =
            message.TryReadPayload<StatusRequestPayload>(out var status, out _)
            && status.RequestId?.Length <= MaxRequestIdLength
                ? status.RequestId
                : null;
        return replies.ReplyAsync(
            MessageTypes.EdgeStatus,
            statusReporter.Build(requestId),
            cancellationToken
        );
    }

    /// <summary>
    /// Never answered (an error about an error could ping-pong): a file the server could not apply is
    /// retried by its workspace, anything else is logged.
    /// </summary>
    private void OnServerError(ProtocolMessage message)
    {
        if (!message.TryReadPayload<ErrorPayload>(out var rejection, out var error))
        {
            ControlLog.ServerError(logger, "", "", LogText.Clean(error));
            return;
        }
        if (
            rejection.MessageType
                is MessageTypes.FileCreateSync
                    or MessageTypes.FileModifySync
                    or MessageTypes.FileDeleteSync
            && rejection.Path is { } rejectedPath
            && PathShape.Check(rejectedPath) is null
            && workspaces.FindContaining(rejectedPath) is var (owner, relativePath)
        )
        {
            owner.OnServerRejected(
                relativePath,
                LogText.Clean(rejection.Code ?? ""),
                LogText.Clean(rejection.Message)
            );
            return;
        }
        ControlLog.ServerError(
            logger,
            LogText.Clean(rejection.MessageType ?? ""),
            LogText.Clean(rejection.Code ?? ""),
            LogText.Clean(rejection.Message)
        );
    }

    /// <summary>The workspace whose root is <paramref name="path"/> exactly, when the path is of an acceptable shape.</summary>
    private IWorkspace? WorkspaceAt(string? path) =>
        path is not null && PathShape.Check(path) is null ? workspaces.Find(path) : null;

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
