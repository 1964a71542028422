namespace FileSync.Edge.Local;

/// <summary>Ends the agent as a signal would (the local <c>stop</c>). The host implements it over its application lifetime.</summary>
public interface IAgentShutdown
{
    /// <summary>Starts the agent's orderly stop and returns at once.</summary>
    void RequestShutdown();
}
