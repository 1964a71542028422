using System.Text.Json;
using FileSync.Edge.Tests.Infrastructure;
using FileSync.Edge.Tests.Local;
using FileSync.Edge.Tests.Workspace;

namespace FileSync.Edge.Tests.Tray;

/// <summary>
/// The real <c>filesync-tray</c> as a person's session runs it: one tray per config, the agent it starts
/// logging to the agent's log file, the session bus found at <c>$XDG_RUNTIME_DIR/bus</c>, a missing bus
/// named as missing.
/// </summary>
[Trait("Category", "Integration")]
public sealed class LinuxTraySupervisorTests(ITestOutputHelper output) : LocalTestBase(output)
{
    private SessionBus? _bus;
    private StandInStatusNotifierWatcher? _watcher;
    private readonly List<ChildProcess> _trays = [];

    public override async Task DisposeAsync()
    {
        foreach (var tray in _trays)
        {
            await tray.DisposeAsync();
        }
        _watcher?.Dispose();
        if (_bus is not null)
        {
            await _bus.DisposeAsync();
        }
        await base.DisposeAsync();
    }

    private void WriteConfig(string workspace) =>
        File.WriteAllText(
            ConfigFile,
            JsonSerializer.Serialize(
                new Dictionary<string, object>
                {
                    ["Uplink"] = new Dictionary<string, string>
                    {
                        ["Server"] = Server!.WebSocketUri.ToString(),
                    },
                    ["Workspaces"] = new[] { workspace },
                }
            )
        );

    private ChildProcess StartTray(Dictionary<string, string?> environment, params string[] extra)
    {
        var tray = ChildProcess.StartBuilt(
            "filesync-tray",
            [
                "--config",
                ConfigFile,
                "--agent",
                BuiltExecutable.Path("filesync-edge"),
                "--interval-ms",
                "200",
                .. extra,
            ],
            Output,
            environment
        );
        _trays.Add(tray);
        return tray;
    }

    private async Task<Dictionary<string, string?>> BusEnvironmentAsync()
    {
        _bus = await SessionBus.StartAsync(Output);
        _watcher = await StandInStatusNotifierWatcher.StartAsync(_bus.Address);
        var environment = CliEnvironment();
        environment["DBUS_SESSION_BUS_ADDRESS"] = _bus.Address;
        return environment;
    }

    [DBusFact]
    public async Task Tray_StartsTheAgent_WhoseOutputGoesToItsLogFile_AndASecondTrayExitsAtOnce()
    {
        await StartServerAsync();
        var workspace = NewWorkspace();
        workspace.Write("a.txt", "a");
        WriteConfig(workspace.Path);
        var environment = await BusEnvironmentAsync();

        var tray = StartTray(environment);
        var watcher = _watcher!;
        await Wait.UntilAsync(
            () => watcher.Registered.Count > 0 || tray.HasExited,
            Wait.Generous,
            () => $"the tray to register; tray:\n{tray.Output}"
        );
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));
        Assert.Contains(tray.Lines, l => l.Contains("started one", StringComparison.Ordinal));

        // The agent's log is in its log file (the state folder), not in the tray's output.
        var log = Path.Combine(StateDirectory, "filesync-edge.log");
        await Wait.UntilAsync(
            () => File.Exists(log) && new FileInfo(log).Length > 0,
            Wait.Generous,
            () => $"the agent to write {log}; tray:\n{tray.Output}"
        );
        var agentLines = File.ReadAllLines(log).Where(l => l.Trim().Length > 10).ToList();
        Assert.NotEmpty(agentLines);
        Assert.DoesNotContain(tray.Lines, l => agentLines.Contains(l.Trim()));
        Assert.All(tray.Lines, l => Assert.StartsWith("filesync-tray", l.TrimStart()));

        // A second tray for the same config: one line, exit 0, no second icon.
        var second = await ChildProcess.RunBuiltAsync(
            "filesync-tray",
            ["--config", ConfigFile, "--no-start"],
            Wait.Generous,
            environment
        );
        Assert.Equal(0, second.ExitCode);
        Assert.Equal($"filesync-tray: a tray for {ConfigFile} already runs", second.Stdout.Trim());
        Assert.Single(watcher.Registered);
        Assert.False(tray.HasExited);

        Assert.Equal(0, (await CliAsync("stop")).ExitCode);
    }

    [DBusFact]
    public async Task Tray_WithoutBusAddress_FindsTheBusInXdgRuntimeDir()
    {
        var environment = await BusEnvironmentAsync();
        var socket = _bus!.Address["unix:path=".Length..].Split(',')[0];
        File.CreateSymbolicLink(Path.Combine(RuntimeDirectory, "bus"), socket);
        environment["DBUS_SESSION_BUS_ADDRESS"] = null;

        var tray = StartTray(environment, "--no-start");
        var watcher = _watcher!;
        await Wait.UntilAsync(
            () => watcher.Registered.Count > 0 || tray.HasExited,
            Wait.Generous,
            () => $"the tray to register over $XDG_RUNTIME_DIR/bus; tray:\n{tray.Output}"
        );
        Assert.False(tray.HasExited, tray.Output);
    }

    [LinuxFact("the session bus at $XDG_RUNTIME_DIR/bus is the Linux convention")]
    public async Task Tray_NoBusSocket_SaysItIsMissing()
    {
        var environment = CliEnvironment();
        environment["DBUS_SESSION_BUS_ADDRESS"] = null;
        var outcome = await ChildProcess.RunBuiltAsync(
            "filesync-tray",
            ["--config", ConfigFile, "--no-start"],
            Wait.Generous,
            environment
        );
        Assert.Equal(1, outcome.ExitCode);
        var missing = Path.Combine(RuntimeDirectory, "bus");
        Assert.Equal(
            $"filesync-tray: error: no D-Bus session bus: {missing} does not exist (and DBUS_SESSION_BUS_ADDRESS is not set)",
            Assert.Single(outcome.StderrLines)
        );

        environment["DBUS_SESSION_BUS_ADDRESS"] = $"unix:path={missing}";
        outcome = await ChildProcess.RunBuiltAsync(
            "filesync-tray",
            ["--config", ConfigFile, "--no-start"],
            Wait.Generous,
            environment
        );
        Assert.Equal(1, outcome.ExitCode);
        Assert.Contains($"no D-Bus session bus: {missing} does not exist", outcome.Stderr);
        Assert.DoesNotContain("Cannot assign requested address", outcome.Stderr);
    }
}
