namespace FileSync.Edge.Control;

/// <summary>
/// Remembers the workspaces the server chose (<c>edge:config_update</c>, <c>workspace:sync_start</c>,
/// <c>workspace:sync_stop</c>), so that a restarted agent resumes them. The host implements it over
/// its config file.
/// </summary>
public interface IWorkspaceListStore
{
    /// <summary>The remembered workspace roots; empty when there are none.</summary>
    /// <exception cref="IOException">The store cannot be read.</exception>
    IReadOnlyList<string> Load();

    /// <summary>Replaces the remembered workspace roots.</summary>
    /// <exception cref="IOException">The store cannot be written.</exception>
    void Save(IReadOnlyList<string> workspaces);
}
