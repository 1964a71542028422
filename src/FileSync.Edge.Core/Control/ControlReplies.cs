using System.Text.Json;
using FileSync.Edge.Uplink;
using FileSync.Edge.Workspace;
using FileSync.Protocol;
using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Control;

/// <summary>
/// Formats and sends the control stage's replies on the current session, in that session's wire
/// format: <c>error</c> for a command that cannot be carried out, <c>workspace:sync_error</c> for a
/// refused workspace, and any other reply frame. Each refusal is logged once. A reply while
/// disconnected is dropped (the server asks again).
/// </summary>
/// <remarks>Logs under the control stage's category (<see cref="ControlDispatcher"/>).</remarks>
public sealed class ControlReplies(IUplink uplink, ILogger<ControlDispatcher> logger)
{
    /// <summary>Sends <paramref name="payload"/> as a <paramref name="type"/> message.</summary>
    public Task ReplyAsync<T>(string type, T payload, CancellationToken cancellationToken) =>
        SendAsync(ProtocolMessage.Serialize(type, payload), cancellationToken);

    /// <summary>The one reply to a command whose payload has the wrong shape: <c>error</c> with <c>invalid_payload</c>.</summary>
    public Task RejectPayloadAsync(
        ProtocolMessage command,
        string error,
        CancellationToken cancellationToken
    ) => ReplyErrorAsync(command, error, ErrorCodes.InvalidPayload, cancellationToken);

    /// <summary>
    /// An <c>error</c> about <paramref name="command"/>, naming it (when its type is short enough) and
    /// echoing its <c>requestId</c> (when usable).
    /// </summary>
    public Task ReplyErrorAsync(
        ProtocolMessage command,
        string message,
        string code,
        CancellationToken cancellationToken
    )
    {
        ControlLog.CommandRejected(logger, code, LogText.Clean(message));
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

    /// <summary>A <c>workspace:sync_error</c> for a workspace command that was refused.</summary>
    public Task RefuseWorkspaceAsync(WorkspaceRefusal refusal, CancellationToken cancellationToken)
    {
        ControlLog.WorkspaceRefused(logger, refusal.Code, LogText.Clean(refusal.Message));
        var session = uplink.Session;
        var path = refusal.Path;
        return ReplyAsync(
            MessageTypes.SyncError,
            new SyncErrorPayload
            {
                Path =
                    path.Length <= PathShape.MaxPathLength ? path : path[..PathShape.MaxPathLength],
                Code = refusal.Code,
                Message = refusal.Message,
                EdgeId = session?.EdgeId,
                UserId = session?.UserId,
            },
            cancellationToken
        );
    }

    /// <summary>Sends a JSON frame on the current session, encoded in that session's wire format.</summary>
    public async Task SendAsync(byte[] jsonFrame, CancellationToken cancellationToken)
    {
        if (uplink.Session is { } session)
        {
            ProtocolMessage.Encode(jsonFrame, session.Format, out var frame);
            await uplink.SendAsync(session, frame, cancellationToken).ConfigureAwait(false);
        }
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
            return id.GetString() is { Length: <= ControlDispatcher.MaxRequestIdLength } text
                ? text
                : null;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
