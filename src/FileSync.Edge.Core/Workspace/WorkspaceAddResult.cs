namespace FileSync.Edge.Workspace;

/// <summary>
/// The outcome of <see cref="WorkspaceRegistry.AddAsync"/>: the running <see cref="Workspace"/> (the
/// existing one when it already ran), or the <see cref="Rejection"/> saying why the folder may not be one.
/// </summary>
public sealed record WorkspaceAddResult(IWorkspace? Workspace, WorkspaceRootRejection? Rejection);
