using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization.Metadata;
using FileSync.Protocol;
using FileSync.Server.Mirror;
using FileSync.Server.Protocol;
using Microsoft.Extensions.Logging;

namespace FileSync.Server.Edges;

/// <summary>
/// Dispatches the frames of one edge, in order: sync messages go to the <see cref="MirrorStore"/>,
/// manifests are accumulated chunk by chunk and answered with <c>workspace:manifest_diff</c>,
/// everything else is recorded in the edge's reply log. Problems are answered with <c>error</c>;
/// nothing here throws for bad input.
/// </summary>
internal sealed partial class EdgeMessageHandler
{
    /// <summary>Most entries one (multi-chunk) manifest may carry.</summary>
    public const int MaxManifestEntries = 500_000;

    private readonly EdgeSession _session;
    private readonly MirrorStore _store;
    private readonly EdgeRegistry _registry;
    private readonly bool _manifestEnabled;
    private readonly bool _treeEnabled;
    private readonly ServerOptions _options;
    private readonly bool _todoforai;
    private readonly EdgeRoots _roots;
    private readonly ILogger _logger;
    private readonly ApplyTimings _timings;
    private readonly Dictionary<string, PendingManifest> _manifests = new(MirrorPaths.PathComparer);

    public EdgeMessageHandler(
        EdgeSession session,
        MirrorStore store,
        EdgeRegistry registry,
        ServerOptions options,
        ILogger logger
    )
    {
        _session = session;
        _store = store;
        _registry = registry;
        _options = options;
        _manifestEnabled = session.Has(Capabilities.Manifest);
        _treeEnabled = session.Has(Capabilities.ManifestTree);
        _todoforai = options.Dialect == ServerDialect.Todoforai;
        // The server's own workspaces went out in the first edge:config_update.
        _roots = registry.RootsOf(session.EdgeId);
        _roots.Add(options.Workspaces);
        _logger = logger;
        _timings = new ApplyTimings(session.Time);
    }

    public async Task HandleFrameAsync(
        ReadOnlyMemory<byte> frame,
        WireFormat format,
        CancellationToken cancellationToken
    )
    {
        // A MessagePack message keeps pointing into its bytes: copy them out of the receive buffer.
        var parsing = _timings.Now();
        var bytes = format == WireFormat.MessagePack ? frame.ToArray() : frame;
        var parsed = ProtocolMessage.TryParse(bytes, format, out var message, out var parseError);
        _timings.AddParse(parsing);
        if (!parsed)
        {
            Log.MalformedFrame(_logger, _session.EdgeId, LogText.Clean(parseError));
            // Lowercase in both dialects: a todoforai client treats any ERROR as fatal.
            await _session.TrySendAsync(
                ProtocolFrames.Error(ErrorCodes.MalformedMessage, parseError),
                cancellationToken
            );
            return;
        }
        if (
            message.Type
            is MessageTypes.FileCreateSync
                or MessageTypes.FileModifySync
                or MessageTypes.FileDeleteSync
                or MessageTypes.FileDone
                or MessageTypes.Manifest
                or MessageTypes.ManifestTree
                or MessageTypes.TreeListing
        )
        {
            // One edge's changes are applied by one connection at a time, and only by its newest: a
            // replaced connection may still hold frames read before it was cut (Kestrel reads ahead),
            // which must not land after the new connection's manifest has settled the mirror.
            var gate = _registry.ApplyGateOf(_session.EdgeId);
            await gate.WaitAsync(cancellationToken);
            try
            {
                if (!_registry.IsCurrent(_session))
                {
                    Log.StaleFrameDropped(_logger, LogText.Clean(message.Type), _session.EdgeId);
                    return;
                }
                await DispatchAsync(message, cancellationToken);
            }
            finally
            {
                gate.Release();
            }
            return;
        }
        await DispatchAsync(message, cancellationToken);
    }

    private async Task DispatchAsync(ProtocolMessage message, CancellationToken cancellationToken)
    {
        switch (message.Type)
        {
            case MessageTypes.FileCreateSync:
                await HandleFileSyncAsync(message, isCreate: true, cancellationToken);
                break;
            case MessageTypes.FileModifySync:
                await HandleFileSyncAsync(message, isCreate: false, cancellationToken);
                break;
            case MessageTypes.FileDeleteSync:
                await HandleFileDeleteAsync(message, cancellationToken);
                break;
            case MessageTypes.FileDone:
                await HandleFileDoneAsync(message, cancellationToken);
                break;
            case MessageTypes.Manifest when _manifestEnabled:
                await HandleManifestAsync(message, cancellationToken);
                break;
            case MessageTypes.ManifestTree when _treeEnabled:
                await HandleManifestTreeAsync(message, cancellationToken);
                break;
            case MessageTypes.TreeListing when _treeEnabled:
                await HandleTreeListingAsync(message, cancellationToken);
                break;
            default:
                _registry.AppendReply(_session.EdgeId, message.Type, message.Payload);
                Log.ReplyRecorded(_logger, LogText.Clean(message.Type), _session.EdgeId);
                break;
        }
    }

    private async Task HandleFileSyncAsync(
        ProtocolMessage message,
        bool isCreate,
        CancellationToken cancellationToken
    )
    {
        if (
            await ReadOrRejectAsync<IncomingFileSync>(message, cancellationToken) is not { } payload
        )
        {
            return;
        }
        if (payload.Content is null && payload.RawContent is null)
        {
            await RejectAsync(
                message.Type,
                ErrorCodes.MalformedMessage,
                "'content' is required",
                payload.Path,
                payload.RelativePath,
                cancellationToken
            );
            return;
        }
        var file = await ResolveFileOrRejectAsync(
            message.Type,
            payload.Workspace,
            payload.Path,
            payload.RelativePath,
            cancellationToken
        );
        if (file is not { } target)
        {
            return;
        }
        var decoding = _timings.Now();
        if (
            !TryReadContent(
                payload,
                _todoforai,
                _session.Hash,
                _timings,
                out var content,
                out var hash,
                out var code,
                out var error
            )
        )
        {
            _timings.AddDecodeAndVerify(decoding);
            await RejectAsync(
                message.Type,
                code,
                error,
                payload.Path,
                target.RelativePath,
                cancellationToken
            );
            return;
        }
        _timings.AddDecodeAndVerify(decoding);
        var writing = _timings.Now();
        var result = _store.WriteFile(
            target.Name,
            target.EdgePath,
            target.RelativePath,
            content,
            _session.Hash,
            hash,
            isCreate
        );
        _timings.AddWrite(writing);
        await RejectIfFailedAsync(
            message.Type,
            result,
            payload.Path,
            target.RelativePath,
            cancellationToken
        );
    }

    private async Task HandleFileDeleteAsync(
        ProtocolMessage message,
        CancellationToken cancellationToken
    )
    {
        if (
            await ReadOrRejectAsync<IncomingFileDelete>(message, cancellationToken)
            is not { } payload
        )
        {
            return;
        }
        var file = await ResolveFileOrRejectAsync(
            message.Type,
            payload.Workspace,
            payload.Path,
            payload.RelativePath,
            cancellationToken
        );
        if (file is not { } target)
        {
            return;
        }
        var result = _store.DeleteFile(target.Name, target.EdgePath, target.RelativePath);
        await RejectIfFailedAsync(
            message.Type,
            result,
            payload.Path,
            target.RelativePath,
            cancellationToken
        );
    }

    private async Task HandleFileDoneAsync(
        ProtocolMessage message,
        CancellationToken cancellationToken
    )
    {
        if (
            await ReadOrRejectAsync<IncomingFileDone>(message, cancellationToken) is not { } payload
        )
        {
            return;
        }
        var root = payload.Workspace ?? payload.Path;
        if (root is null)
        {
            await RejectAsync(
                message.Type,
                ErrorCodes.MalformedMessage,
                "'path' is required",
                null,
                null,
                cancellationToken
            );
            return;
        }
        // The path of a file_done is a workspace root: the edge announces it.
        _roots.Add([root]);
        var result = _store.MarkDone(MirrorPaths.LastSegment(root), root);
        Log.ApplyTimings(
            _logger,
            MirrorPaths.LastSegment(root),
            _timings.Files,
            _timings.Parse.TotalMilliseconds,
            _timings.Decode.TotalMilliseconds,
            _timings.Verify.TotalMilliseconds,
            _timings.Write.TotalMilliseconds
        );
        _timings.Reset();
        if (
            !await RejectIfFailedAsync(message.Type, result, payload.Path, null, cancellationToken)
            && _session.Has(Capabilities.DoneAck)
        )
        {
            // Frames of one connection are applied in order: everything before this file_done is in the mirror.
            await _session.TrySendAsync(
                ProtocolFrames.FileDoneAck(payload.Path ?? root),
                cancellationToken
            );
        }
    }
}
