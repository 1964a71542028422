namespace FileSync.Edge.Workspace.Pipeline;

/// <summary>The session ended during a batch: the batch stops, the next session starts with a full sync.</summary>
internal sealed class SessionLostException : Exception;
