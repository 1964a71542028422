using FileSync.Edge.Workspace;
using FileSync.Protocol;

namespace FileSync.Edge.Control;

/// <summary>
/// A workspace command the agent refused: the <see cref="Path"/> to name in the
/// <c>workspace:sync_error</c>, its protocol <see cref="Code"/> and a one-line <see cref="Message"/>.
/// </summary>
public sealed record WorkspaceRefusal(string Path, string Code, string Message)
{
    /// <summary>A root that may not be a workspace: <c>not_found</c> when nothing is there, else <c>forbidden_path</c>.</summary>
    public static WorkspaceRefusal Of(string path, WorkspaceRootRejection rejection) =>
        new(
            path,
            rejection.Problem == WorkspaceRootProblem.NotFound
                ? ErrorCodes.NotFound
                : ErrorCodes.ForbiddenPath,
            rejection.Message
        );

    /// <summary>A command naming a folder of an acceptable shape that is not a running workspace.</summary>
    public static WorkspaceRefusal NotActive(string path) =>
        new(path, ErrorCodes.NotFound, $"'{path}' is not an active workspace");

    /// <summary>A path of a shape the server may not send (<see cref="PathShape"/>).</summary>
    public static WorkspaceRefusal BadShape(string path, string shapeError) =>
        new(path, ErrorCodes.ForbiddenPath, shapeError);
}
