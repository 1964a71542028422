using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization.Metadata;
using FileSync.Edge.Protocol;
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
internal sealed class EdgeMessageHandler
{
    /// <summary>Most entries one (multi-chunk) manifest may carry.</summary>
    public const int MaxManifestEntries = 500_000;

    private readonly EdgeSession _session;
    private readonly MirrorStore _store;
    private readonly EdgeRegistry _registry;
    private readonly bool _legacy;
    private readonly ServerOptions _options;
    private readonly ILogger _logger;
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
        _legacy = options.IsLegacy;
        _logger = logger;
    }

    public async Task HandleFrameAsync(
        ReadOnlyMemory<byte> frame,
        CancellationToken cancellationToken
    )
    {
        if (!ProtocolMessage.TryParse(frame, out var message, out var parseError))
        {
            Log.MalformedFrame(_logger, _session.EdgeId, LogText.Sanitize(parseError));
            await _session.TrySendAsync(
                ProtocolFrames.Error(
                    ErrorCodes.MalformedMessage,
                    parseError,
                    upperCase: _options.Dialect == ServerDialect.Todoforai
                ),
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
                    Log.StaleFrameDropped(_logger, LogText.Sanitize(message.Type), _session.EdgeId);
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
            case MessageTypes.Manifest when !_legacy:
                await HandleManifestAsync(message, cancellationToken);
                break;
            default:
                _registry.AppendReply(_session.EdgeId, message.Type, message.Payload);
                Log.ReplyRecorded(_logger, LogText.Sanitize(message.Type), _session.EdgeId);
                break;
        }
    }

    private async Task HandleFileSyncAsync(
        ProtocolMessage message,
        bool isCreate,
        CancellationToken cancellationToken
    )
    {
        var typeInfo = ServerJsonContext.Default.IncomingFileSync;
        if (await ReadOrRejectAsync(message, typeInfo, cancellationToken) is not { } payload)
        {
            return;
        }
        if (payload.RelativePath is null || payload.Content is null)
        {
            await RejectAsync(
                message.Type,
                ErrorCodes.MalformedMessage,
                "'relativePath' and 'content' are required",
                payload.Path,
                payload.RelativePath,
                cancellationToken
            );
            return;
        }
        var workspace = await ResolveWorkspaceOrRejectAsync(
            message.Type,
            payload.Workspace,
            payload.Path,
            payload.RelativePath,
            cancellationToken
        );
        if (workspace is not { } target)
        {
            return;
        }
        if (
            !TryReadContent(
                payload.Content,
                payload,
                _options.Dialect == ServerDialect.Todoforai,
                out var content,
                out var hash,
                out var code,
                out var error
            )
        )
        {
            await RejectAsync(
                message.Type,
                code,
                error,
                payload.Path,
                payload.RelativePath,
                cancellationToken
            );
            return;
        }
        var result = _store.WriteFile(
            target.Name,
            target.EdgePath,
            payload.RelativePath,
            content,
            hash,
            isCreate
        );
        await RejectIfFailedAsync(
            message.Type,
            result,
            payload.Path,
            payload.RelativePath,
            cancellationToken
        );
    }

    private async Task HandleFileDeleteAsync(
        ProtocolMessage message,
        CancellationToken cancellationToken
    )
    {
        var typeInfo = ServerJsonContext.Default.IncomingFileDelete;
        if (await ReadOrRejectAsync(message, typeInfo, cancellationToken) is not { } payload)
        {
            return;
        }
        if (payload.RelativePath is null)
        {
            await RejectAsync(
                message.Type,
                ErrorCodes.MalformedMessage,
                "'relativePath' is required",
                payload.Path,
                null,
                cancellationToken
            );
            return;
        }
        var workspace = await ResolveWorkspaceOrRejectAsync(
            message.Type,
            payload.Workspace,
            payload.Path,
            payload.RelativePath,
            cancellationToken
        );
        if (workspace is not { } target)
        {
            return;
        }
        var result = _store.DeleteFile(target.Name, target.EdgePath, payload.RelativePath);
        await RejectIfFailedAsync(
            message.Type,
            result,
            payload.Path,
            payload.RelativePath,
            cancellationToken
        );
    }

    private async Task HandleFileDoneAsync(
        ProtocolMessage message,
        CancellationToken cancellationToken
    )
    {
        var typeInfo = ServerJsonContext.Default.IncomingFileDone;
        if (await ReadOrRejectAsync(message, typeInfo, cancellationToken) is not { } payload)
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
        var result = _store.MarkDone(MirrorPaths.LastSegment(root), root);
        await RejectIfFailedAsync(message.Type, result, payload.Path, null, cancellationToken);
    }

    private async Task HandleManifestAsync(
        ProtocolMessage message,
        CancellationToken cancellationToken
    )
    {
        var typeInfo = ServerJsonContext.Default.IncomingManifest;
        if (await ReadOrRejectAsync(message, typeInfo, cancellationToken) is not { } payload)
        {
            return;
        }
        var root = payload.Workspace ?? payload.Path;
        if (root is null || payload.Files is null)
        {
            await RejectAsync(
                message.Type,
                ErrorCodes.MalformedMessage,
                "'path' and 'files' are required",
                payload.Path,
                null,
                cancellationToken
            );
            return;
        }
        var name = MirrorPaths.LastSegment(root);
        var items = new List<ManifestItem>(payload.Files.Count);
        foreach (var entry in payload.Files)
        {
            if (entry?.RelativePath is null)
            {
                await AbandonManifestAsync(
                    name,
                    message.Type,
                    ErrorCodes.MalformedMessage,
                    "every manifest entry needs a 'relativePath'",
                    payload.Path,
                    cancellationToken
                );
                return;
            }
            items.Add(new ManifestItem(entry.RelativePath, entry.Hash, entry.Size));
        }

        var chunk = payload.Chunk ?? 0;
        var recorded = _store.RecordManifestChunk(name, root, isFirstChunk: chunk == 0);
        if (!recorded.Succeeded)
        {
            await AbandonManifestAsync(
                name,
                message.Type,
                recorded.ErrorCode,
                recorded.ErrorMessage,
                payload.Path,
                cancellationToken
            );
            return;
        }

        if (chunk == 0)
        {
            _manifests[name] = new PendingManifest();
        }
        if (!_manifests.TryGetValue(name, out var pending) || pending.NextChunk != chunk)
        {
            await AbandonManifestAsync(
                name,
                message.Type,
                ErrorCodes.InvalidPayload,
                $"manifest chunk {chunk} arrived out of order; send the manifest again from chunk 0",
                payload.Path,
                cancellationToken
            );
            return;
        }
        if (pending.Items.Count + items.Count > MaxManifestEntries)
        {
            await AbandonManifestAsync(
                name,
                message.Type,
                ErrorCodes.InvalidPayload,
                $"manifest has more than {MaxManifestEntries} entries",
                payload.Path,
                cancellationToken
            );
            return;
        }
        pending.Items.AddRange(items);
        pending.NextChunk = chunk + 1;
        if (payload.Last == false)
        {
            return;
        }

        _manifests.Remove(name);
        var outcome = _store.ApplyManifest(name, root, pending.Items);
        if (
            await RejectIfFailedAsync(
                message.Type,
                outcome.Result,
                payload.Path,
                null,
                cancellationToken
            )
        )
        {
            return;
        }
        await _session.TrySendAsync(
            ProtocolFrames.ManifestDiff(payload.Path ?? root, outcome.Need, outcome.Refused),
            cancellationToken
        );
    }

    /// <summary>Reads the payload, or rejects the message as malformed and returns null.</summary>
    private async Task<T?> ReadOrRejectAsync<T>(
        ProtocolMessage message,
        JsonTypeInfo<T> typeInfo,
        CancellationToken cancellationToken
    )
        where T : class
    {
        if (message.TryRead(typeInfo, out var payload, out var error))
        {
            return payload;
        }
        await RejectAsync(
            message.Type,
            ErrorCodes.MalformedMessage,
            error,
            null,
            null,
            cancellationToken
        );
        return null;
    }

    /// <summary>
    /// The workspace a file message is for (see <see cref="TryGetWorkspace"/>), or null after
    /// rejecting the message when it names none.
    /// </summary>
    private async Task<WorkspaceTarget?> ResolveWorkspaceOrRejectAsync(
        string messageType,
        string? workspace,
        string? path,
        string relativePath,
        CancellationToken cancellationToken
    )
    {
        if (
            TryGetWorkspace(
                workspace,
                path,
                relativePath,
                out var name,
                out var edgePath,
                out var error
            )
        )
        {
            return new WorkspaceTarget(name, edgePath);
        }
        await RejectAsync(
            messageType,
            ErrorCodes.InvalidPayload,
            error,
            path,
            relativePath,
            cancellationToken
        );
        return null;
    }

    /// <summary>Rejects the message with the store's error when <paramref name="result"/> failed; returns whether it did.</summary>
    private async Task<bool> RejectIfFailedAsync(
        string messageType,
        MirrorResult result,
        string? path,
        string? relativePath,
        CancellationToken cancellationToken
    )
    {
        if (result.Succeeded)
        {
            return false;
        }
        await RejectAsync(
            messageType,
            result.ErrorCode,
            result.ErrorMessage,
            path,
            relativePath,
            cancellationToken
        );
        return true;
    }

    /// <summary>Drops the manifest being accumulated for <paramref name="name"/> and rejects the chunk.</summary>
    private async Task AbandonManifestAsync(
        string name,
        string messageType,
        string code,
        string reason,
        string? path,
        CancellationToken cancellationToken
    )
    {
        _manifests.Remove(name);
        await RejectAsync(messageType, code, reason, path, null, cancellationToken);
    }

    private async Task RejectAsync(
        string messageType,
        string code,
        string reason,
        string? path,
        string? relativePath,
        CancellationToken cancellationToken
    )
    {
        Log.MessageRejected(
            _logger,
            LogText.Sanitize(messageType),
            _session.EdgeId,
            code,
            LogText.Sanitize(reason)
        );
        await _session.TrySendAsync(
            ProtocolFrames.Error(
                code,
                reason,
                messageType,
                path,
                relativePath,
                upperCase: _options.Dialect == ServerDialect.Todoforai
            ),
            cancellationToken
        );
    }

    /// <summary>
    /// The workspace folder name is the last segment of <c>workspace</c>; without it, of
    /// <c>path</c> minus <c>relativePath</c>. The name itself is validated by the store.
    /// </summary>
    private static bool TryGetWorkspace(
        string? workspace,
        string? path,
        string relativePath,
        [NotNullWhen(true)] out string? name,
        [NotNullWhen(true)] out string? edgePath,
        [NotNullWhen(false)] out string? error
    )
    {
        edgePath =
            workspace
            ?? (path is null ? null : MirrorPaths.DeriveWorkspaceRoot(path, relativePath));
        if (edgePath is null)
        {
            name = null;
            error = "no 'workspace', and 'path' does not end with '/' + 'relativePath'";
            return false;
        }
        name = MirrorPaths.LastSegment(edgePath);
        error = null;
        return true;
    }

    /// <summary>
    /// Decodes <paramref name="encoded"/> (the payload's <c>content</c>) and checks it against <c>size</c> and <c>hash</c> when given; on
    /// failure, the error code and reason to reject the message with.
    /// </summary>
    private static bool TryReadContent(
        string encoded,
        IncomingFileSync payload,
        bool textOnly,
        [NotNullWhen(true)] out byte[]? content,
        [NotNullWhen(true)] out string? hash,
        [NotNullWhen(false)] out string? code,
        [NotNullWhen(false)] out string? error
    )
    {
        hash = null;
        if (textOnly)
        {
            // The todoforai backend stores 'content' as text: no 'encoding', no size or hash checks.
            content = Encoding.UTF8.GetBytes(encoded);
            hash = Convert.ToHexStringLower(SHA256.HashData(content));
            code = null;
            error = null;
            return true;
        }
        if (!TryDecode(encoded, payload.Encoding, out content, out error))
        {
            code = ErrorCodes.MalformedMessage;
            return false;
        }
        if (payload.Size is { } size && size != content.Length)
        {
            code = ErrorCodes.InvalidPayload;
            error = $"'size' is {size} but the decoded content has {content.Length} bytes";
            return false;
        }
        hash = Convert.ToHexStringLower(SHA256.HashData(content));
        if (
            payload.Hash is { } expected
            && !string.Equals(expected, hash, StringComparison.OrdinalIgnoreCase)
        )
        {
            code = ErrorCodes.InvalidPayload;
            error = "'hash' does not match the sha256 of the decoded content";
            return false;
        }
        code = null;
        return true;
    }

    private static bool TryDecode(
        string content,
        string? encoding,
        [NotNullWhen(true)] out byte[]? bytes,
        [NotNullWhen(false)] out string? error
    )
    {
        bytes = null;
        error = null;
        if (encoding is null || IsUtf8(encoding))
        {
            bytes = Encoding.UTF8.GetBytes(content);
            return true;
        }
        if (!string.Equals(encoding, ContentEncodings.Base64, StringComparison.OrdinalIgnoreCase))
        {
            error =
                $"unknown 'encoding'; expected '{ContentEncodings.Utf8}' or '{ContentEncodings.Base64}'";
            return false;
        }
        try
        {
            bytes = Convert.FromBase64String(content);
            return true;
        }
        catch (FormatException)
        {
            error = "'content' is not valid base64";
            return false;
        }
    }

    private static bool IsUtf8(string encoding) =>
        string.Equals(encoding, ContentEncodings.Utf8, StringComparison.OrdinalIgnoreCase)
        || string.Equals(encoding, "utf-8", StringComparison.OrdinalIgnoreCase);

    private readonly record struct WorkspaceTarget(string Name, string EdgePath);

    private sealed class PendingManifest
    {
        public List<ManifestItem> Items { get; } = [];
        public int NextChunk { get; set; }
    }
}
