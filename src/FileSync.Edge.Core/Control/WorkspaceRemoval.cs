namespace FileSync.Edge.Control;

/// <summary>
/// The outcome of stopping a workspace for the server or the local <c>remove</c>: whether one was
/// running and <see cref="Stopped"/>, whether the remembered list <see cref="Forgotten"/> it, and whether
/// it was <see cref="GivenOnCommandLine"/> (then it comes back when the agent restarts).
/// </summary>
public sealed record WorkspaceRemoval(bool Stopped, bool Forgotten, bool GivenOnCommandLine);
