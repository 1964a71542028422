namespace FileSync.Edge.Workspace;

/// <summary>Why a folder may not be a workspace root: the <see cref="Problem"/> to act on and a one-line <see cref="Message"/> to show.</summary>
public sealed record WorkspaceRootRejection(WorkspaceRootProblem Problem, string Message);
