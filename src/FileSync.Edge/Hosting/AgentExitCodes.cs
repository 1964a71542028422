namespace FileSync.Edge.Hosting;

/// <summary>Process exit codes (DESIGN §4).</summary>
public static class AgentExitCodes
{
    public const int Ok = 0;
    public const int Fatal = 1;
    public const int BadArguments = 2;
    public const int AuthenticationRejected = 3;

    /// <summary>
    /// Another agent runs with this config file (it holds the local endpoint). A server connection replaced
    /// by another of the same identity (close 4001/4002) is retried after a pause instead: the identity is
    /// not a secret, so a replay must not end the agent.
    /// </summary>
    public const int IdentityInUse = 4;

    /// <summary>Local commands: <c>status</c> found something that needs attention, or the agent could not do what was asked.</summary>
    public const int NeedsAttention = 1;

    /// <summary>Local commands: no agent runs with this config file.</summary>
    public const int NoAgent = 5;
}
