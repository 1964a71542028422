namespace FileSync.Edge.Local;

/// <summary>
/// The outcome of <see cref="LocalControlListener.ClaimAsync"/>: this agent owns the endpoint
/// (<see cref="Listener"/>), another live agent does (<see cref="InUse"/>, with its status when it
/// answered), or the endpoint cannot be made (<see cref="Problem"/>).
/// </summary>
public sealed record LocalEndpointClaim(
    LocalControlListener? Listener,
    bool InUse,
    AgentStatusView? Holder,
    string? Problem
);
