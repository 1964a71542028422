using FileSync.Edge.Workspace;

namespace FileSync.Edge.Control;

/// <summary>
/// The outcome of starting a workspace for the server or the local <c>add</c>: the <see cref="Root"/>
/// (links resolved) once it passed the root rules, and the <see cref="Rejection"/> when the root rules
/// or the registry (an overlapping workspace) refused it.
/// </summary>
public sealed record WorkspaceAddition(
    WorkspaceRoot? Root,
    WorkspaceRootRejection? Rejection,
    bool AlreadyRunning
);
