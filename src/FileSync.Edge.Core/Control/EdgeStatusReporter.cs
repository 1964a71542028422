using System.Reflection;
using FileSync.Edge.Uplink;
using FileSync.Edge.Workspace;
using FileSync.Protocol;

namespace FileSync.Edge.Control;

/// <summary>Builds the <c>edge:status</c> answer: the agent's version, the session and every running workspace's status.</summary>
public sealed class EdgeStatusReporter(
    IUplink uplink,
    WorkspaceRegistry workspaces,
    TimeProvider time
)
{
    /// <summary>The agent's informational version (from the assembly).</summary>
    public static string AgentVersion { get; } =
        typeof(EdgeStatusReporter)
            .Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()
            ?.InformationalVersion
        ?? "0.0.0";

    /// <summary>The status now, correlated with <paramref name="requestId"/> when given.</summary>
    public EdgeStatusPayload Build(string? requestId)
    {
        var session = uplink.Session;
        return new EdgeStatusPayload
        {
            RequestId = requestId,
            EdgeId = session?.EdgeId,
            Version = AgentVersion,
            ConnectedSeconds = session is null
                ? 0
                : Math.Round(time.GetElapsedTime(session.ConnectedTimestamp).TotalSeconds, 1),
            Workspaces = [.. workspaces.Workspaces.Select(w => w.GetStatus())],
        };
    }
}
