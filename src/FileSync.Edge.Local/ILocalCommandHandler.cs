namespace FileSync.Edge.Local;

/// <summary>What <see cref="LocalControlServer"/> asks to carry out a request (implemented over the engine by the agent's <c>LocalCommandHandler</c>).</summary>
public interface ILocalCommandHandler
{
    /// <summary>Answers one request (never throws for a bad request: it answers with an error).</summary>
    Task<LocalResponse> HandleAsync(
        LocalRequest request,
        CancellationToken cancellationToken = default
    );

    /// <summary>Called after the response to <paramref name="request"/> was written (e.g. to stop the agent after <c>stop</c>).</summary>
    void AfterResponse(LocalRequest request);

    /// <summary>Sends log lines after <paramref name="after"/> through <paramref name="write"/> until cancelled.</summary>
    Task FollowLogsAsync(
        long after,
        Func<LocalResponse, CancellationToken, Task> write,
        CancellationToken cancellationToken = default
    );
}
