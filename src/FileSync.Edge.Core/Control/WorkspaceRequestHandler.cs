using FileSync.Edge.Workspace;
using FileSync.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FileSync.Edge.Control;

/// <summary>
/// Answers <c>ctx:workspace_request</c> with the workspace's listing: the synced files (relative), and
/// as the todoforai clients expect them, absolute <c>project_files</c>, <c>filtered_files</c> and
/// <c>filtered_dirs</c>. The reply echoes every field of the request. A workspace over the file limit
/// is answered with <c>too_many_files</c> and no list.
/// </summary>
/// <remarks>Logs under the control stage's category (<see cref="ControlDispatcher"/>).</remarks>
public sealed class WorkspaceRequestHandler(
    WorkspaceRegistry workspaces,
    IOptions<SyncOptions> syncOptions,
    ILogger<ControlDispatcher> logger
)
{
    private readonly int _maxFiles = syncOptions.Value.MaxFiles;

    /// <summary>Most entries <c>filtered_files</c> and <c>filtered_dirs</c> list (the frame must stay under 5 MB).</summary>
    public const int MaxFilteredEntries = 10_000;

    /// <summary>Builds the <c>ctx:workspace_result</c> frame answering <paramref name="request"/>.</summary>
    public byte[] Answer(
        ProtocolMessage request,
        WorkspaceRequestPayload listing,
        CancellationToken cancellationToken = default
    ) =>
        EchoingReply.Serialize(
            MessageTypes.WorkspaceResult,
            request.Payload,
            List(listing, cancellationToken)
        );

    private WorkspaceResultPayload List(
        WorkspaceRequestPayload request,
        CancellationToken cancellationToken
    )
    {
        var running = workspaces.Workspaces;
        var workspace =
            request.Path is null ? (running.Count == 1 ? running[0] : null)
            : PathShape.Check(request.Path) is null ? workspaces.FindFolder(request.Path)
            : null;
        if (workspace is null)
        {
            ControlLog.CommandRejected(
                logger,
                ErrorCodes.NotFound,
                $"ctx:workspace_request for {LogText.Clean(request.Path ?? "(no path)")}: not an active workspace"
            );
            return new WorkspaceResultPayload
            {
                RequestId = request.RequestId,
                Path = request.Path?.Length <= PathShape.MaxPathLength ? request.Path : "",
                Error = request.Path is null
                    ? "'path' is required when more than one workspace is active"
                    : "not an active workspace",
                Code = ErrorCodes.NotFound,
            };
        }
        var files =
            workspace.State == WorkspaceState.Refused
                ? null
                : workspace.ListFiles(cancellationToken);
        if (files is null || files.Count > _maxFiles)
        {
            return new WorkspaceResultPayload
            {
                RequestId = request.RequestId,
                Path = workspace.RootPath,
                Error = $"the workspace has more than {_maxFiles} files and is not synced",
                Code = ErrorCodes.TooManyFiles,
            };
        }
        var (_, filteredFiles, filteredDirectories) = workspace.Describe(cancellationToken);
        var basePath =
            request.Path is { } given && PathShape.Check(given) is null
                ? Path.TrimEndingDirectorySeparator(given)
                : workspace.RootPath;
        return new WorkspaceResultPayload
        {
            RequestId = request.RequestId,
            Path = workspace.RootPath,
            Files = files,
            UserId = request.UserId ?? "",
            AgentId = request.AgentId ?? "",
            ProjectFiles = Absolute(basePath, files),
            FilteredFiles = Absolute(basePath, filteredFiles.Take(MaxFilteredEntries)),
            FilteredDirs = Absolute(basePath, filteredDirectories.Take(MaxFilteredEntries)),
        };
    }

    private static List<string> Absolute(string basePath, IEnumerable<string> relativePaths) =>
        [
            .. relativePaths.Select(relative =>
                Path.Join(basePath, relative.Replace('/', Path.DirectorySeparatorChar))
            ),
        ];
}
