using FileSync.Edge.Local;
using Microsoft.Extensions.Hosting;

namespace FileSync.Edge.Hosting;

/// <summary>The local <c>stop</c>: stops the host as Ctrl+C or SIGTERM would.</summary>
public sealed class HostAgentShutdown(IHostApplicationLifetime lifetime) : IAgentShutdown
{
    public void RequestShutdown() => lifetime.StopApplication();
}
