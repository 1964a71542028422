using FileSync.Edge.Local;
using Microsoft.Extensions.Hosting;

namespace FileSync.Edge.Hosting;

/// <summary>Serves the local control endpoint (claimed before the host was built) for the agent's lifetime.</summary>
public sealed class LocalEndpointService(LocalControlListener listener, LocalControlServer server)
    : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        server.RunAsync(stoppingToken);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        // Removes the socket file: a later `status` says "no agent running" at once.
        await listener.DisposeAsync().ConfigureAwait(false);
    }
}
