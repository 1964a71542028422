using FileSync.Edge.Tests.Infrastructure;

namespace FileSync.Edge.Tests.EndToEnd;

/// <summary>
/// A real reference server (in-process Kestrel on a loopback port) and real agent processes on temp
/// workspaces. Everything is torn down after each test.
/// </summary>
public abstract class EndToEndTestBase(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly List<ChildProcess> _agents = [];
    private readonly List<TempDirectory> _directories = [];

    protected ITestOutputHelper Output { get; } = output;

    protected InProcessServer? Server { get; private set; }

    protected string MirrorRoot { get; private set; } = "";

    /// <summary>A config file path that does not exist, so the developer's own config never leaks into a test.</summary>
    protected string NoConfigFile { get; private set; } = "";

    /// <summary>The agents' state directory (saved indexes), private to the test and kept across agent restarts.</summary>
    protected string StateDirectory { get; private set; } = "";

    /// <summary>
    /// The agents' <c>XDG_RUNTIME_DIR</c> (where their local control sockets live), private to the test so
    /// that no test finds another's agent (or the developer's own).
    /// </summary>
    protected string RuntimeDirectory { get; private set; } = "";

    public virtual Task InitializeAsync()
    {
        var scratch = NewDirectory();
        RuntimeDirectory = Path.Combine(scratch.Path, "run");
        Directory.CreateDirectory(RuntimeDirectory);
        MirrorRoot = Path.Combine(scratch.Path, "mirror");
        Directory.CreateDirectory(MirrorRoot);
        NoConfigFile = Path.Combine(scratch.Path, "no-config.json");
        StateDirectory = Path.Combine(scratch.Path, "state");
        return Task.CompletedTask;
    }

    public virtual async Task DisposeAsync()
    {
        foreach (var agent in _agents)
        {
            await agent.DisposeAsync(); // never throws: a failed test must not leak processes
        }
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
        foreach (var directory in _directories)
        {
            directory.Dispose();
        }
    }

    /// <summary>Workspaces and the server's mirror on a memory file system (see <see cref="TempDirectory(bool)"/>).</summary>
    protected virtual bool InMemoryDirectories => false;

    protected TempDirectory NewDirectory()
    {
        var directory = new TempDirectory(InMemoryDirectories);
        _directories.Add(directory);
        return directory;
    }

    /// <summary>A new workspace folder; the server mirrors it under its (random) folder name.</summary>
    protected TempDirectory NewWorkspace() => NewDirectory();

    protected string MirrorOf(TempDirectory workspace) =>
        Path.Combine(MirrorRoot, Path.GetFileName(workspace.Path));

    /// <summary>Mirrors into <paramref name="mirrorRoot"/> (e.g. a small mounted file system) instead of the test's own folder.</summary>
    protected void UseMirrorRoot(string mirrorRoot) => MirrorRoot = mirrorRoot;

    protected async Task<InProcessServer> StartServerAsync(
        string? apiKey = null,
        bool legacy = false,
        int port = 0
    )
    {
        Server = await InProcessServer.StartAsync(MirrorRoot, apiKey, legacy, port, Output);
        return Server;
    }

    /// <summary>A reference server configured by <paramref name="configure"/> (e.g. the todoforai dialect).</summary>
    protected async Task<InProcessServer> StartServerAsync(
        Action<FileSync.Server.ServerOptions> configure,
        string? apiKey = null
    )
    {
        Server = await InProcessServer.StartAsync(
            MirrorRoot,
            apiKey,
            legacy: false,
            port: 0,
            Output,
            configure
        );
        return Server;
    }

    protected async Task RestartServerAsync(
        bool keepMirror = true,
        bool legacy = false,
        Action<FileSync.Server.ServerOptions>? configure = null
    )
    {
        var port = Server!.Port;
        await Server.StopAsync();
        await Server.DisposeAsync();
        if (!keepMirror)
        {
            Directory.Delete(MirrorRoot, recursive: true);
            Directory.CreateDirectory(MirrorRoot);
        }
        Server = await InProcessServer.StartAsync(
            MirrorRoot,
            null,
            legacy,
            port,
            Output,
            configure
        );
    }

    protected ChildProcess StartAgent(
        IEnumerable<string> workspaces,
        params string[] extraArguments
    ) => StartAgentVia(Server!.WebSocketUri, workspaces, extraArguments);

    /// <summary>Starts an agent that connects to <paramref name="server"/> (e.g. a fault proxy in front of the server).</summary>
    protected ChildProcess StartAgentVia(
        Uri server,
        IEnumerable<string> workspaces,
        params string[] extraArguments
    ) => StartAgentProcess(server, workspaces, asUnprivilegedUser: false, extraArguments);

    protected ChildProcess StartAgentProcess(
        Uri server,
        IEnumerable<string> workspaces,
        bool asUnprivilegedUser,
        params string[] extraArguments
    ) => StartAgentProcess(server, workspaces, asUnprivilegedUser, null, extraArguments);

    /// <param name="environment">Variables to set for the agent (e.g. HOME), besides its private state directory.</param>
    protected ChildProcess StartAgentProcess(
        Uri server,
        IEnumerable<string> workspaces,
        bool asUnprivilegedUser,
        IReadOnlyDictionary<string, string?>? environment,
        params string[] extraArguments
    )
    {
        var noConfigFile = NoConfigFile;
        if (asUnprivilegedUser && !OperatingSystem.IsWindows())
        {
            // The agent must be able to look for its config file: a missing one is fine, one it cannot reach is an error.
            var folder = NewDirectory().Path;
            File.SetUnixFileMode(folder, (UnixFileMode)0b111_101_101);
            noConfigFile = Path.Combine(folder, "no-config.json");
        }
        var arguments = workspaces
            .Concat(["--server", server.ToString()])
            .Concat(extraArguments.Contains("--config") ? [] : ["--config", noConfigFile])
            .Concat(extraArguments);
        var variables = new Dictionary<string, string?>
        {
            ["FILESYNC_STATE_DIR"] = StateDirectory,
            // An unprivileged agent cannot enter root's test folder: it uses its own /tmp/filesync-edge-<uid>.
            ["XDG_RUNTIME_DIR"] = asUnprivilegedUser ? "" : RuntimeDirectory,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            variables[name] = value;
        }
        var agent = ChildProcess.StartBuilt(
            "filesync-edge",
            arguments,
            Output,
            variables,
            asUnprivilegedUser
        );
        _agents.Add(agent);
        return agent;
    }

    protected ChildProcess StartAgent(TempDirectory workspace, params string[] extraArguments) =>
        StartAgent([workspace.Path], extraArguments);

    /// <summary>Asks the agent for <c>edge:status</c> through the server's admin API and returns the reply payload.</summary>
    protected async Task<System.Text.Json.JsonElement> GetAgentStatusAsync(string edgeId)
    {
        var requestId = Guid.NewGuid().ToString("N");
        await Server!.SendCommandAsync(
            edgeId,
            $$$"""{"type":"edge:status_request","payload":{"requestId":"{{{requestId}}}"}}"""
        );
        System.Text.Json.JsonElement? reply = null;
        await Wait.UntilAsync(
            async () =>
            {
                reply = (await Server.GetRepliesAsync(edgeId))
                    .Where(r =>
                        r.Type == "edge:status"
                        && r.Payload.TryGetProperty("requestId", out var id)
                        && id.GetString() == requestId
                    )
                    .Select(r => (System.Text.Json.JsonElement?)r.Payload)
                    .FirstOrDefault();
                return reply is not null;
            },
            Wait.Generous,
            () => "the edge:status reply"
        );
        return reply!.Value;
    }

    /// <summary>Bodies (create + modify) and content bytes the server has received for its only workspace.</summary>
    protected async Task<(long Bodies, long ContentBytes, long Manifests)> ReceivedAsync()
    {
        var workspace = (await Server!.GetStatusAsync()).Workspaces.Single();
        return (
            workspace.Received.Create + workspace.Received.Modify,
            workspace.Received.ContentBytes,
            workspace.Received.Manifest
        );
    }

    protected async Task<string> WaitForEdgeIdAsync()
    {
        string? edgeId = null;
        await Wait.UntilAsync(
            async () =>
            {
                var status = await Server!.GetStatusAsync();
                edgeId = status.Edges.FirstOrDefault()?.EdgeId;
                return edgeId is not null;
            },
            Wait.Generous,
            () => "an edge to connect"
        );
        return edgeId!;
    }
}
