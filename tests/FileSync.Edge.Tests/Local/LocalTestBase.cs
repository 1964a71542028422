using System.Text.Json;
using FileSync.Edge.Local;
using FileSync.Edge.Tests.EndToEnd;
using FileSync.Edge.Tests.Infrastructure;

namespace FileSync.Edge.Tests.Local;

/// <summary>
/// A real reference server, a real agent process with a config file of its own, and the local commands
/// run as real <c>filesync-edge</c> processes against the agent's endpoint (in the test's own runtime folder).
/// </summary>
public abstract class LocalTestBase(ITestOutputHelper output) : EndToEndTestBase(output)
{
    /// <summary>The agent's config file (created only when a test writes it).</summary>
    protected string ConfigFile { get; private set; } = "";

    /// <summary>A HOME of the test's own (the default allowed root of server-chosen and added workspaces).</summary>
    protected string Home { get; private set; } = "";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        ConfigFile = Path.Combine(NewDirectory().Path, "config.json");
        Home = NewDirectory().Path;
    }

    /// <summary>Where the agent of <see cref="ConfigFile"/> listens.</summary>
    protected LocalEndpointAddress Address =>
        LocalEndpointAddress.For(ConfigFile, RuntimeDirectory);

    protected Dictionary<string, string?> CliEnvironment() =>
        new()
        {
            ["XDG_RUNTIME_DIR"] = RuntimeDirectory,
            ["HOME"] = Home,
            ["FILESYNC_STATE_DIR"] = StateDirectory,
        };

    /// <summary>Starts an agent with <see cref="ConfigFile"/> and a private HOME, and waits until its endpoint answers.</summary>
    /// <param name="environment">Variables for the agent besides <see cref="CliEnvironment"/> (SSL_CERT_FILE, HTTPS_PROXY).</param>
    protected async Task<ChildProcess> StartLocalAgentAsync(
        IEnumerable<string> workspaces,
        Uri? server = null,
        IReadOnlyDictionary<string, string?>? environment = null
    )
    {
        var variables = CliEnvironment();
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            variables[name] = value;
        }
        var agent = StartAgentProcess(
            server ?? Server!.WebSocketUri,
            workspaces,
            asUnprivilegedUser: false,
            variables,
            "--config",
            ConfigFile
        );
        await WaitForEndpointAsync(agent);
        return agent;
    }

    protected async Task WaitForEndpointAsync(ChildProcess agent) =>
        await Wait.UntilAsync(
            async () =>
            {
                if (agent.HasExited)
                {
                    throw new InvalidOperationException(
                        $"the agent exited with {agent.ExitCode}:\n{agent.Output}"
                    );
                }
                try
                {
                    await LocalControlClient.RequestAsync(
                        Address,
                        new LocalRequest { Command = LocalCommands.Ping },
                        TimeSpan.FromSeconds(5)
                    );
                    return true;
                }
                catch (IOException)
                {
                    return false;
                }
            },
            Wait.Generous,
            () => $"the agent's endpoint {Address} to answer; output:\n{agent.Output}"
        );

    /// <summary>Runs <c>filesync-edge ARGS --config ConfigFile</c> to its end.</summary>
    protected async Task<ProcessOutcome> CliAsync(params string[] arguments)
    {
        var outcome = await ChildProcess.RunBuiltAsync(
            "filesync-edge",
            [.. arguments, "--config", ConfigFile],
            Wait.Generous,
            CliEnvironment()
        );
        Output.WriteLine(
            $"$ filesync-edge {string.Join(' ', arguments)} → {outcome.ExitCode}\n{outcome.Stdout}{outcome.Stderr}"
        );
        return outcome;
    }

    /// <summary><c>status --json</c>: the exit code and the agent's status object.</summary>
    protected async Task<(int ExitCode, JsonElement Status)> StatusJsonAsync()
    {
        var outcome = await CliAsync("status", "--json");
        using var document = JsonDocument.Parse(outcome.Stdout);
        var root = document.RootElement.Clone();
        Assert.Equal(1, root.GetProperty("v").GetInt32());
        return (outcome.ExitCode, root.TryGetProperty("status", out var status) ? status : root);
    }

    /// <summary>The status of the workspace named <paramref name="name"/> in <paramref name="status"/>.</summary>
    protected static JsonElement WorkspaceOf(JsonElement status, string name) =>
        status
            .GetProperty("workspaces")
            .EnumerateArray()
            .Single(w => w.GetProperty("name").GetString() == name);
}
