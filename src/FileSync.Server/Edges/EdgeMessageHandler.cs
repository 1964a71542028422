using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
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
    private readonly ILogger _logger;
    private readonly Dictionary<string, PendingManifest> _manifests = new(MirrorPaths.PathComparer);

    public EdgeMessageHandler(
        EdgeSession session,
        MirrorStore store,
        EdgeRegistry registry,
        bool legacy,
        ILogger logger
    )
    {
        _session = session;
        _store = store;
        _registry = registry;
        _legacy = legacy;
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
                ProtocolFrames.Error(ErrorCodes.MalformedMessage, parseError),
                cancellationToken
            );
            return;
        }
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
        if (
            !message.TryRead(
                ServerJsonContext.Default.IncomingFileSync,
                out var payload,
                out var error
            )
        )
        {
            await RejectAsync(
                message.Type,
                ErrorCodes.MalformedMessage,
                error,
                null,
                null,
                cancellationToken
            );
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
        if (
            !TryGetWorkspace(
                payload.Workspace,
                payload.Path,
                payload.RelativePath,
                out var name,
                out var edgePath,
                out error
            )
        )
        {
            await RejectAsync(
                message.Type,
                ErrorCodes.InvalidPayload,
                error,
                payload.Path,
                payload.RelativePath,
                cancellationToken
            );
            return;
        }
        if (!TryDecode(payload.Content, payload.Encoding, out var content, out error))
        {
            await RejectAsync(
                message.Type,
                ErrorCodes.MalformedMessage,
                error,
                payload.Path,
                payload.RelativePath,
                cancellationToken
            );
            return;
        }
        if (payload.Size is { } size && size != content.Length)
        {
            await RejectAsync(
                message.Type,
                ErrorCodes.InvalidPayload,
                $"'size' is {size} but the decoded content has {content.Length} bytes",
                payload.Path,
                payload.RelativePath,
                cancellationToken
            );
            return;
        }
        var hash = Convert.ToHexStringLower(SHA256.HashData(content));
        if (
            payload.Hash is { } expected
            && !string.Equals(expected, hash, StringComparison.OrdinalIgnoreCase)
        )
        {
            await RejectAsync(
                message.Type,
                ErrorCodes.InvalidPayload,
                "'hash' does not match the sha256 of the decoded content",
                payload.Path,
                payload.RelativePath,
                cancellationToken
            );
            return;
        }
        var result = _store.WriteFile(
            name,
            edgePath,
            payload.RelativePath,
            content,
            hash,
            isCreate
        );
        if (!result.Succeeded)
        {
            await RejectAsync(
                message.Type,
                result.ErrorCode,
                result.ErrorMessage,
                payload.Path,
                payload.RelativePath,
                cancellationToken
            );
        }
    }

    private async Task HandleFileDeleteAsync(
        ProtocolMessage message,
        CancellationToken cancellationToken
    )
    {
        if (
            !message.TryRead(
                ServerJsonContext.Default.IncomingFileDelete,
                out var payload,
                out var error
            )
        )
        {
            await RejectAsync(
                message.Type,
                ErrorCodes.MalformedMessage,
                error,
                null,
                null,
                cancellationToken
            );
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
        if (
            !TryGetWorkspace(
                payload.Workspace,
                payload.Path,
                payload.RelativePath,
                out var name,
                out var edgePath,
                out error
            )
        )
        {
            await RejectAsync(
                message.Type,
                ErrorCodes.InvalidPayload,
                error,
                payload.Path,
                payload.RelativePath,
                cancellationToken
            );
            return;
        }
        var result = _store.DeleteFile(name, edgePath, payload.RelativePath);
        if (!result.Succeeded)
        {
            await RejectAsync(
                message.Type,
                result.ErrorCode,
                result.ErrorMessage,
                payload.Path,
                payload.RelativePath,
                cancellationToken
            );
        }
    }

    private async Task HandleFileDoneAsync(
        ProtocolMessage message,
        CancellationToken cancellationToken
    )
    {
        if (
            !message.TryRead(
                ServerJsonContext.Default.IncomingFileDone,
                out var payload,
                out var error
            )
        )
        {
            await RejectAsync(
                message.Type,
                ErrorCodes.MalformedMessage,
                error,
                null,
                null,
                cancellationToken
            );
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
        if (!result.Succeeded)
        {
            await RejectAsync(
                message.Type,
                result.ErrorCode,
                result.ErrorMessage,
                payload.Path,
                null,
                cancellationToken
            );
        }
    }

    private async Task HandleManifestAsync(
        ProtocolMessage message,
        CancellationToken cancellationToken
    )
    {
        if (
            !message.TryRead(
                ServerJsonContext.Default.IncomingManifest,
                out var payload,
                out var error
            )
        )
        {
            await RejectAsync(
                message.Type,
                ErrorCodes.MalformedMessage,
                error,
                null,
                null,
                cancellationToken
            );
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
                _manifests.Remove(name);
                await RejectAsync(
                    message.Type,
                    ErrorCodes.MalformedMessage,
                    "every manifest entry needs a 'relativePath'",
                    payload.Path,
                    null,
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
            _manifests.Remove(name);
            await RejectAsync(
                message.Type,
                recorded.ErrorCode,
                recorded.ErrorMessage,
                payload.Path,
                null,
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
            _manifests.Remove(name);
            await RejectAsync(
                message.Type,
                ErrorCodes.InvalidPayload,
                $"manifest chunk {chunk} arrived out of order; send the manifest again from chunk 0",
                payload.Path,
                null,
                cancellationToken
            );
            return;
        }
        if (pending.Items.Count + items.Count > MaxManifestEntries)
        {
            _manifests.Remove(name);
            await RejectAsync(
                message.Type,
                ErrorCodes.InvalidPayload,
                $"manifest has more than {MaxManifestEntries} entries",
                payload.Path,
                null,
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
        if (!outcome.Result.Succeeded)
        {
            await RejectAsync(
                message.Type,
                outcome.Result.ErrorCode,
                outcome.Result.ErrorMessage,
                payload.Path,
                null,
                cancellationToken
            );
            return;
        }
        await _session.TrySendAsync(
            ProtocolFrames.ManifestDiff(payload.Path ?? root, outcome.Need),
            cancellationToken
        );
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
            ProtocolFrames.Error(code, reason, messageType, path, relativePath),
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

    private sealed class PendingManifest
    {
        public List<ManifestItem> Items { get; } = [];
        public int NextChunk { get; set; }
    }
}
