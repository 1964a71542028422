using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json.Serialization.Metadata;
using FileSync.Protocol;
using FileSync.Server.Mirror;
using FileSync.Server.Protocol;

namespace FileSync.Server.Edges;

/// <summary>Reading payloads, resolving the workspace a message is for, and rejecting what cannot be applied.</summary>
internal sealed partial class EdgeMessageHandler
{
    /// <summary>Reads the payload, or rejects the message as malformed and returns null.</summary>
    private async Task<T?> ReadOrRejectAsync<T>(
        ProtocolMessage message,
        CancellationToken cancellationToken
    )
        where T : class
    {
        if (message.TryReadPayload<T>(out var payload, out var error))
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
    /// The workspace and relative path a file message is for, or null after rejecting the message.
    /// With <c>relativePath</c> (our extension) the workspace comes from <c>workspace</c> or from
    /// <c>path</c> (see <see cref="TryGetWorkspace"/>). Without it — a todoforai client sends only
    /// the absolute <c>path</c> — the todoforai dialect places the file under the longest root known
    /// for the edge (<see cref="EdgeRoots"/>); our dialect requires <c>relativePath</c>.
    /// </summary>
    private async Task<FileTarget?> ResolveFileOrRejectAsync(
        string messageType,
        string? workspace,
        string? path,
        string? relativePath,
        CancellationToken cancellationToken
    )
    {
        if (workspace is not null)
        {
            _roots.Add([workspace]);
        }
        string? name;
        string? edgePath;
        string? error;
        var code = ErrorCodes.InvalidPayload;
        if (relativePath is not null)
        {
            if (TryGetWorkspace(workspace, path, relativePath, out name, out edgePath, out error))
            {
                return new FileTarget(name, edgePath, relativePath);
            }
        }
        else if (!_todoforai || path is null)
        {
            code = ErrorCodes.MalformedMessage;
            error = _todoforai ? "'path' is required" : "'relativePath' is required";
        }
        else if (_roots.TryResolve(path, out edgePath, out var derived))
        {
            return new FileTarget(MirrorPaths.LastSegment(edgePath), edgePath, derived);
        }
        else
        {
            code = ErrorCodes.ForbiddenPath;
            error =
                "'path' lies under no workspace root of this edge (the server's edge:config_update, or one the edge announced)";
        }
        await RejectAsync(messageType, code, error, path, relativePath, cancellationToken);
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
            LogText.Clean(messageType),
            _session.EdgeId,
            code,
            LogText.Clean(reason)
        );
        // Lowercase in both dialects: ERROR is for authentication only, as the todoforai clients
        // treat any ERROR as fatal and stop syncing.
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

    /// <summary>
    /// Decodes <paramref name="encoded"/> (the payload's <c>content</c>) and checks it against <c>size</c> and <c>hash</c> when given; on
    /// failure, the error code and reason to reject the message with. <paramref name="hash"/> is of
    /// <paramref name="algorithm"/>, the session's.
    /// </summary>
    private static bool TryReadContent(
        IncomingFileSync payload,
        bool textOnly,
        ContentHash algorithm,
        ApplyTimings timings,
        [NotNullWhen(true)] out byte[]? content,
        [NotNullWhen(true)] out string? hash,
        [NotNullWhen(false)] out string? code,
        [NotNullWhen(false)] out string? error
    )
    {
        hash = null;
        var encoded = payload.Content ?? "";
        if (textOnly && payload.RawContent is null)
        {
            // The todoforai backend stores 'content' as text: no 'encoding', no size or hash checks.
            content = Encoding.UTF8.GetBytes(encoded);
            hash = algorithm.Compute(content);
            code = null;
            error = null;
            return true;
        }
        if (payload.RawContent is { } raw)
        {
            if (string.Equals(payload.Encoding, ContentEncodings.Brotli, StringComparison.Ordinal))
            {
                if (
                    payload.Size is not { } declared
                    || !ContentCompression.TryDecompress(raw.Span, declared, out content)
                )
                {
                    content = null;
                    code = ErrorCodes.InvalidPayload;
                    error =
                        $"'content' is not Brotli data of the declared 'size' (at most {ContentCompression.MaxDecompressedBytes} bytes)";
                    return false;
                }
            }
            else
            {
                content = raw.ToArray();
            }
            error = null;
        }
        else if (!TryDecode(encoded, payload.Encoding, out content, out error))
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
        var verifying = timings.Now();
        hash = algorithm.Compute(content);
        timings.AddVerify(verifying);
        if (
            payload.Hash is { } expected
            && !string.Equals(expected, hash, StringComparison.OrdinalIgnoreCase)
        )
        {
            code = ErrorCodes.InvalidPayload;
            error = $"'hash' does not match the {algorithm.Name} of the decoded content";
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

    private readonly record struct FileTarget(string Name, string EdgePath, string RelativePath);

    private sealed class PendingManifest
    {
        public List<ManifestItem> Items { get; } = [];
        public int NextChunk { get; set; }
    }
}
