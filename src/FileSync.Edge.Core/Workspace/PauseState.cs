namespace FileSync.Edge.Workspace;

/// <summary>Where a workspace's pause stands.</summary>
public enum PauseState
{
    /// <summary>Not paused: sending as usual.</summary>
    Running,

    /// <summary>A pause is requested; the file under way (and what the socket still holds) goes out first.</summary>
    Pausing,

    /// <summary>Sending has stopped; changes are tracked and go out on resume.</summary>
    Paused,
}
