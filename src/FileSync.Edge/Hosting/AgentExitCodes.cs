namespace FileSync.Edge.Hosting;

/// <summary>Process exit codes (DESIGN §4).</summary>
public static class AgentExitCodes
{
    public const int Ok = 0;
    public const int Fatal = 1;
    public const int BadArguments = 2;
    public const int AuthenticationRejected = 3;

    /// <summary>Another agent with this identity holds the server connection (close 4001/4002) or the local endpoint.</summary>
    public const int IdentityInUse = 4;

    /// <summary>Local commands: <c>status</c> found something that needs attention, or the agent could not do what was asked.</summary>
    public const int NeedsAttention = 1;

    /// <summary>Local commands: no agent runs with this config file.</summary>
    public const int NoAgent = 5;
}
