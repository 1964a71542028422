namespace FileSync.Edge.Local;

/// <summary>No agent listens at the endpoint (no socket, a stale socket, or no pipe).</summary>
public sealed class AgentNotRunningException(LocalEndpointAddress address, string reason)
    : IOException($"no agent is running for this config (nothing listens at {address}: {reason})")
{
    public LocalEndpointAddress Address { get; } = address;

    /// <summary>Why nobody is there: no socket, a stale socket, no pipe.</summary>
    public string Reason { get; } = reason;
}
