using System.Net;
using System.Net.WebSockets;
using FileSync.Protocol;
using FileSync.Server.Api;
using FileSync.Server.Edges;
using FileSync.Server.Mirror;
using FileSync.Server.Transport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FileSync.Server;

/// <summary>
/// Builds the reference server: Kestrel on 127.0.0.1, the edge WebSocket endpoint
/// <c>/ws/v1/edge</c> and the admin API. Used by the CLI and, in-process, by tests.
/// </summary>
public static class MirrorServer
{
    /// <summary>Path of the edge WebSocket endpoint.</summary>
    public const string EdgePath = EdgeEndpoint.Path;

    /// <summary>
    /// Validates <paramref name="options"/> (throws <see cref="OptionsValidationException"/>),
    /// creates the mirror folder, and builds an application bound to 127.0.0.1:<see cref="ServerOptions.Port"/>.
    /// Logging providers are cleared; <paramref name="configureLogging"/> adds the ones wanted.
    /// </summary>
    public static WebApplication Build(
        ServerOptions options,
        Action<ILoggingBuilder>? configureLogging = null
    )
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);

        var builder = WebApplication.CreateSlimBuilder(
            new WebApplicationOptions
            {
                ApplicationName = typeof(MirrorServer).Assembly.GetName().Name,
            }
        );
        builder.Logging.ClearProviders();
        configureLogging?.Invoke(builder.Logging);

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // Every connection reports what arrives on it: the edge keepalive asks that, not a pong.
            kestrel.Listen(
                IPAddress.Loopback,
                options.Port,
                listen =>
                    listen.Use(next =>
                        listen
                            .ApplicationServices.GetRequiredService<ConnectionActivities>()
                            .Track(next)
                    )
            );
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = ProtocolMessage.MaxFrameBytes;
        });

        var services = builder.Services;
        services.Configure<HostOptions>(host => host.ShutdownTimeout = options.CloseTimeout * 2);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(options);
        services.AddSingleton<MirrorStore>();
        services.AddSingleton<EdgeRegistry>();
        services.AddSingleton<EdgeEndpoint>();
        services.AddSingleton<ConnectionActivities>();

        var app = builder.Build();
        app.UseWebSockets();
        var endpoint = app.Services.GetRequiredService<EdgeEndpoint>();
        app.Map(EdgePath, (RequestDelegate)endpoint.HandleAsync);
        app.MapAdminApi();
        if (options.Dialect == ServerDialect.Todoforai)
        {
            app.MapTodoforaiApi();
        }

        var logger = app
            .Services.GetRequiredService<ILoggerFactory>()
            .CreateLogger(typeof(MirrorServer).FullName!);
        var registry = app.Services.GetRequiredService<EdgeRegistry>();
        var store = app.Services.GetRequiredService<MirrorStore>();
        app.Lifetime.ApplicationStarted.Register(() =>
            Log.Listening(logger, GetBaseAddress(app).ToString(), store.RootDirectory)
        );
        app.Lifetime.ApplicationStopping.Register(() =>
        {
            var count = registry.StopAll(
                WebSocketCloseStatus.EndpointUnavailable,
                "server stopping"
            );
            Log.ClosingEdges(logger, count);
        });
        return app;
    }

    /// <summary>
    /// The address the started <paramref name="app"/> really listens on, e.g. <c>http://127.0.0.1:41234/</c>
    /// (with port 0 this is where the chosen port shows).
    /// </summary>
    public static Uri GetBaseAddress(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var addresses = app
            .Services.GetRequiredService<IServer>()
            .Features.GetRequiredFeature<IServerAddressesFeature>();
        var address =
            addresses.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException(
                "The server has no address yet; start it first."
            );
        return new Uri(address.EndsWith('/') ? address : address + "/");
    }

    private static void Validate(ServerOptions options)
    {
        var failures = new List<string>();
        foreach (
            var result in new[]
            {
                new ServerOptionsValidator().Validate(null, options),
                new ServerOptionsCustomValidator().Validate(null, options),
            }
        )
        {
            if (result.Failed)
            {
                failures.AddRange(result.Failures);
            }
        }
        if (failures.Count > 0)
        {
            throw new OptionsValidationException(
                nameof(ServerOptions),
                typeof(ServerOptions),
                failures
            );
        }
    }
}
