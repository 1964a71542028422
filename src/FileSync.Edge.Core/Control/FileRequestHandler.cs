using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using FileSync.Edge.Uplink;
using FileSync.Edge.Workspace;
using FileSync.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FileSync.Edge.Control;

/// <summary>
/// Answers <c>file:chunk_request</c> and <c>frontend:file_chunk_request</c>: the reply carries every
/// field of the request (the todoforai backend routes replies by them) plus <c>full_path</c> and
/// <c>content</c> or <c>error</c>. A relative <c>path</c> is resolved against <c>rootPath</c>, then each of
/// <c>fallbackRootPaths</c>; every candidate must lie inside a running workspace (<see cref="PathGuard"/>),
/// so nothing outside one is ever opened. A folder is answered with its listing: one name per line,
/// <c>/</c> after folders, only what the ignore rules let through.
/// </summary>
/// <remarks>Logs under the control stage's category (<see cref="ControlDispatcher"/>).</remarks>
public sealed class FileRequestHandler(
    WorkspaceRegistry workspaces,
    IOptions<SyncOptions> syncOptions,
    ILogger<ControlDispatcher> logger
)
{
    private readonly long _maxFileBytes = syncOptions.Value.MaxFileBytes;

    /// <summary>Most candidate roots one request may name (<c>rootPath</c> plus <c>fallbackRootPaths</c>).</summary>
    public const int MaxRoots = 32;

    /// <summary>Builds the reply frame to <paramref name="request"/> (of type <paramref name="replyType"/>).</summary>
    public byte[] Answer(ProtocolMessage request, string replyType, UplinkSession? session)
    {
        ChunkRequestPayload payload;
        if (!request.TryReadPayload<ChunkRequestPayload>(out var parsed, out var parseError))
        {
            payload = new ChunkRequestPayload();
            return Reply(
                request,
                replyType,
                Failed(payload, null, parseError, ErrorCodes.InvalidPayload)
            );
        }
        payload = parsed;
        var result = Read(payload, textOnly: session?.Capabilities is null);
        var frame = Reply(request, replyType, result);
        if (frame.Length > ProtocolMessage.MaxFrameBytes)
        {
            // Encoded (escapes, base64, the echoed request) the answer would not fit into one frame.
            frame = Reply(
                request,
                replyType,
                Failed(
                    payload,
                    result.FullPath,
                    $"the answer does not fit into one frame of {ProtocolMessage.MaxFrameBytes} bytes",
                    ErrorCodes.TooLarge
                ),
                echo: false
            );
        }
        return frame;
    }

    private ChunkResultPayload Read(ChunkRequestPayload request, bool textOnly)
    {
        if (request.RequestId?.Length > ControlDispatcher.MaxRequestIdLength)
        {
            return Failed(
                request,
                null,
                $"'requestId' is longer than {ControlDispatcher.MaxRequestIdLength} characters",
                ErrorCodes.InvalidPayload
            );
        }
        var candidates = Candidates(request, out var candidateError);
        if (candidates.Count == 0)
        {
            ControlLog.PathRefused(logger, LogText.Clean(request.Path ?? ""), candidateError);
            return Failed(request, null, candidateError, ErrorCodes.ForbiddenPath);
        }
        PathGuard.Resolution? first = null;
        foreach (var candidate in candidates)
        {
            var resolution = PathGuard.Resolve(workspaces.Workspaces, candidate, allowRoot: true);
            first ??= resolution;
            if (resolution.IsAllowed)
            {
                return ReadResolved(request, candidate, resolution, textOnly);
            }
        }
        ControlLog.PathRefused(logger, LogText.Clean(request.Path ?? ""), first!.Value.Error!);
        return Failed(request, candidates[0], first.Value.Error!, first.Value.Code!);
    }

    /// <summary>The absolute paths a request may mean, in the order they are tried.</summary>
    private static List<string> Candidates(ChunkRequestPayload request, out string error)
    {
        error = "";
        var path = request.Path;
        if (string.IsNullOrWhiteSpace(path))
        {
            error = "path is missing";
            return [];
        }
        if (
            path.StartsWith("file://", StringComparison.OrdinalIgnoreCase)
            && Uri.TryCreate(path, UriKind.Absolute, out var uri)
            && uri.IsFile
        )
        {
            path = uri.LocalPath;
        }
        if (PathShape.Check(path) is null)
        {
            return [path];
        }
        var roots = new List<string>();
        if (!string.IsNullOrWhiteSpace(request.RootPath))
        {
            roots.Add(request.RootPath);
        }
        roots.AddRange(
            (request.FallbackRootPaths ?? [])
                .Where(r => !string.IsNullOrWhiteSpace(r))
                .Take(MaxRoots - roots.Count)!
        );
        var candidates = new List<string>();
        foreach (var root in roots)
        {
            if (
                PathShape.Check(root) is not null
                || path.Contains('\0', StringComparison.Ordinal)
                || path.Length > PathShape.MaxPathLength
            )
            {
                continue;
            }
            candidates.Add(Path.Join(root, path));
        }
        if (candidates.Count == 0)
        {
            error =
                roots.Count == 0
                    ? "path must be absolute, or relative with a 'rootPath'"
                    : "no 'rootPath' or 'fallbackRootPaths' entry is an absolute path";
        }
        return candidates;
    }

    private ChunkResultPayload ReadResolved(
        ChunkRequestPayload request,
        string candidate,
        PathGuard.Resolution resolution,
        bool textOnly
    )
    {
        var workspace = resolution.Workspace!;
        var fullPath = DiskNames.Find(workspace.RootPath, resolution.RelativePath);
        if (resolution.RelativePath.Length == 0 || Directory.Exists(fullPath))
        {
            string listing;
            try
            {
                listing = workspace.ListDirectory(resolution.RelativePath);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return Failed(
                    request,
                    fullPath,
                    $"folder cannot be listed: {ex.Message}",
                    ErrorCodes.Unreadable
                );
            }
            return new ChunkResultPayload
            {
                RequestId = request.RequestId,
                Path = request.Path,
                FullPath = fullPath,
                Content = listing,
                ContentType = "text/directory",
                Encoding = ContentEncodings.Utf8,
            };
        }
        // The reader never blocks on a FIFO or device and re-checks, on the open file, that it lies inside the workspace.
        var result = workspace.ReadForServer(resolution.RelativePath);
        return result.Status switch
        {
            FileReadStatus.Ok when result.Content is { } content && Utf8.IsValid(content) =>
                new ChunkResultPayload
                {
                    RequestId = request.RequestId,
                    Path = request.Path,
                    FullPath = fullPath,
                    Content = Encoding.UTF8.GetString(content),
                    ContentType = "text/plain",
                    Encoding = ContentEncodings.Utf8,
                },
            FileReadStatus.Ok when result.Content is { } content && !textOnly =>
                new ChunkResultPayload
                {
                    RequestId = request.RequestId,
                    Path = request.Path,
                    FullPath = fullPath,
                    Content = Convert.ToBase64String(content),
                    ContentType = "application/octet-stream",
                    Encoding = ContentEncodings.Base64,
                },
            FileReadStatus.Ok => Failed(
                request,
                fullPath,
                "file is not UTF-8 text",
                ErrorCodes.NotUtf8
            ),
            FileReadStatus.TooLarge => Failed(
                request,
                fullPath,
                $"file is larger than the limit of {_maxFileBytes} bytes",
                ErrorCodes.TooLarge
            ),
            FileReadStatus.Binary => Failed(request, fullPath, "file is binary", ErrorCodes.Binary),
            FileReadStatus.Withheld => Failed(
                request,
                fullPath,
                $"withheld by the agent's secret guard ({result.WithheldBy?.Id})",
                ErrorCodes.Withheld
            ),
            FileReadStatus.Missing => Failed(
                request,
                fullPath,
                $"File not found: {candidate}",
                ErrorCodes.NotFound
            ),
            FileReadStatus.NotAFile => Failed(
                request,
                fullPath,
                "not a regular file",
                ErrorCodes.NotFound
            ),
            FileReadStatus.OutsideWorkspace => Failed(
                request,
                null,
                "path leads outside the workspace",
                ErrorCodes.ForbiddenPath
            ),
            FileReadStatus.Unstable => Failed(
                request,
                fullPath,
                "file is being written; retry",
                ErrorCodes.Unreadable
            ),
            _ => Failed(
                request,
                fullPath,
                result.Error ?? "file cannot be read",
                ErrorCodes.Unreadable
            ),
        };
    }

    private static ChunkResultPayload Failed(
        ChunkRequestPayload request,
        string? fullPath,
        string error,
        string code
    ) =>
        new()
        {
            RequestId = request.RequestId,
            Path = request.Path?.Length <= PathShape.MaxPathLength ? request.Path : null,
            FullPath = fullPath,
            Error = error,
            Code = code,
        };

    private static byte[] Reply(
        ProtocolMessage request,
        string replyType,
        ChunkResultPayload result,
        bool echo = true
    ) => EchoingReply.Serialize(replyType, echo ? request.Payload : default, result);
}
