using FileSync.Edge.Tests.Infrastructure;
using FileSync.Server;
using Xunit.Abstractions;

namespace FileSync.Edge.Tests.Server;

/// <summary>
/// Per test: a sandbox folder, the servers and raw clients the test starts (all disposed after
/// it), and a check that the servers logged no unexpected error.
/// </summary>
public abstract class ServerTestBase : IAsyncLifetime
{
    private readonly List<InProcessServer> _servers = [];
    private readonly List<RawEdgeClient> _clients = [];

    protected ServerTestBase(ITestOutputHelper output)
    {
        Output = output;
    }

    protected ITestOutputHelper Output { get; }

    internal ServerSandbox Sandbox { get; } = new();

    /// <summary>Event names of Error logs a test expects (e.g. a deliberate I/O failure).</summary>
    protected List<string> AllowedErrorEvents { get; } = [];

    protected async Task<InProcessServer> StartServerAsync(
        string? apiKey = null,
        bool legacy = false,
        int port = 0,
        Action<ServerOptions>? configure = null
    )
    {
        var server = await InProcessServer.StartAsync(
            Sandbox.MirrorDirectory,
            apiKey,
            legacy,
            port,
            Output,
            configure
        );
        _servers.Add(server);
        return server;
    }

    internal async Task<RawEdgeClient> ConnectAsync(
        InProcessServer server,
        string? fingerprint = "test-machine",
        string? apiKey = null,
        bool messagePack = false,
        bool xxh128 = false,
        string? subprotocol = null
    )
    {
        var client = await RawEdgeClient.ConnectAsync(
            server,
            fingerprint,
            apiKey,
            messagePack,
            xxh128,
            subprotocol
        );
        _clients.Add(client);
        return client;
    }

    /// <summary>Status of <see cref="EdgeMessages.WorkspaceName"/>, once the server knows it.</summary>
    protected static Task<WorkspaceMirrorStatus> WaitForWorkspaceAsync(
        InProcessServer server,
        Func<WorkspaceMirrorStatus, bool> condition,
        string description,
        string name = EdgeMessages.WorkspaceName
    ) =>
        Wait.UntilAsync(
            async () =>
                (await server.GetStatusAsync()).Workspaces.SingleOrDefault(w => w.Name == name)
                ?? new WorkspaceMirrorStatus { Name = "(not yet known)" },
            w => w.Name == name && condition(w),
            description
        );

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }
        Sandbox.Dispose();
        var errors = _servers
            .SelectMany(s => s.Logs.UnexpectedErrors([.. AllowedErrorEvents]))
            .ToList();
        Assert.True(
            errors.Count == 0,
            "The server logged unexpected errors:"
                + Environment.NewLine
                + string.Join(Environment.NewLine, errors)
        );
    }
}
