using FileSync.Edge.Control;

namespace FileSync.Edge.Configuration;

/// <summary>Remembers the server's choice of workspaces in the <c>Workspaces</c> key of the agent's config file.</summary>
public sealed class ConfigFileWorkspaceStore(string path) : IWorkspaceListStore
{
    private readonly Lock _gate = new();

    /// <summary>The config file.</summary>
    public string FilePath => path;

    public IReadOnlyList<string> Load()
    {
        lock (_gate)
        {
            return AgentConfigFile.ReadWorkspaces(path) ?? [];
        }
    }

    public void Save(IReadOnlyList<string> workspaces)
    {
        lock (_gate)
        {
            AgentConfigFile.WriteWorkspaces(path, workspaces);
        }
    }
}
