using System.Diagnostics;
using System.Text.Json;
using FileSync.Edge.Tests.Infrastructure;
using FileSync.Edge.Tests.Local;

namespace FileSync.Edge.Tests.Tray;

/// <summary>
/// The real tray raising desktop notifications through a real daemon (dunst) on a private session bus: one
/// when the agent it started exits, one when it runs again, none with <c>Tray:Notifications</c> false.
/// </summary>
[Trait("Category", "Integration")]
public sealed class LinuxTrayNotificationTests(ITestOutputHelper output) : LocalTestBase(output)
{
    private SessionBus? _bus;
    private StandInStatusNotifierWatcher? _watcher;
    private NotificationDaemon? _daemon;
    private ChildProcess? _tray;

    public override async Task DisposeAsync()
    {
        if (_tray is not null)
        {
            await _tray.DisposeAsync();
        }
        if (_daemon is not null)
        {
            await _daemon.DisposeAsync();
        }
        _watcher?.Dispose();
        if (_bus is not null)
        {
            await _bus.DisposeAsync();
        }
        await base.DisposeAsync();
    }

    private void WriteConfig(string workspace, bool? notifications)
    {
        var config = new Dictionary<string, object>
        {
            ["Uplink"] = new Dictionary<string, string>
            {
                ["Server"] = Server!.WebSocketUri.ToString(),
            },
            ["Workspaces"] = new[] { workspace },
        };
        if (notifications is { } on)
        {
            config["Tray"] = new Dictionary<string, bool> { ["Notifications"] = on };
        }
        File.WriteAllText(ConfigFile, JsonSerializer.Serialize(config));
    }

    private async Task<int> AgentPidAsync()
    {
        var (_, status) = await StatusJsonAsync();
        return status.GetProperty("pid").GetInt32();
    }

    [NotificationDaemonFact]
    public async Task Tray_AgentExits_NotifiesOnce_AndOnceWhenItRunsAgain_UnlessTurnedOff()
    {
        await StartServerAsync();
        var workspace = NewWorkspace();
        workspace.Write("a.txt", "a");
        WriteConfig(workspace.Path, notifications: null);
        _bus = await SessionBus.StartAsync(Output);
        _watcher = await StandInStatusNotifierWatcher.StartAsync(_bus.Address);
        _daemon = await NotificationDaemon.StartAsync(_bus.Address, Output);
        await _daemon.WaitUntilReadyAsync(_watcher);
        var environment = CliEnvironment();
        environment["DBUS_SESSION_BUS_ADDRESS"] = _bus.Address;
        _tray = ChildProcess.StartBuilt(
            "filesync-tray",
            [
                "--config",
                ConfigFile,
                "--agent",
                BuiltExecutable.Path("filesync-edge"),
                "--interval-ms",
                "200",
            ],
            Output,
            environment
        );
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));
        var daemon = _daemon;
        var tray = _tray;
        Assert.Empty(daemon.Calls); // in sync: nothing to say

        // The agent the tray started dies: one notification, naming the exit code and the log.
        Process.GetProcessById(await AgentPidAsync()).Kill();
        await Wait.UntilAsync(
            () => daemon.Calls.Count > 0,
            Wait.Generous,
            () => $"a Notify call; tray:\n{tray.Output}"
        );
        var (summary, body) = daemon.Calls[0];
        Assert.Equal("FileSync: the agent exited", summary);
        Assert.Contains("filesync-edge exited with code 137", body);
        Assert.Contains(Path.Combine(StateDirectory, "filesync-edge.log"), body);
        Assert.Contains(tray.Lines, l => l.Contains("notified", StringComparison.Ordinal));

        // Started again from the menu: one notification that it recovered; none repeated meanwhile.
        var service = _watcher.Registered.First().Service;
        var menu = await _watcher.GetMenuAsync(service, "/MenuBar");
        await _watcher.ClickAsync(
            service,
            "/MenuBar",
            menu.Single(i => i.Label == "Start agent").Id
        );
        await Wait.UntilAsync(
            () => daemon.Calls.Count > 1,
            Wait.Generous,
            () => $"a second Notify call; tray:\n{tray.Output}"
        );
        Assert.Equal(
            [
                ("FileSync: the agent exited", body),
                ("FileSync: syncing again", "The agent runs again."),
            ],
            daemon.Calls
        );

        // Tray:Notifications false: the agent dies again, the icon says so, no notification.
        WriteConfig(workspace.Path, notifications: false);
        await Wait.UntilAsync(
            async () => (await CliAsync("status")).ExitCode == 0,
            Wait.Generous,
            () => "the restarted agent to answer"
        );
        Process.GetProcessById(await AgentPidAsync()).Kill();
        await tray.WaitForLineAsync(
            "filesync-tray: not notified (Tray:Notifications is false): FileSync: the agent exited"
        );
        Assert.Equal(
            "FileSync: agent exited (137)",
            (
                await _watcher.GetPropertyAsync(
                    service,
                    "/StatusNotifierItem",
                    "org.kde.StatusNotifierItem",
                    "Title"
                )
            ).GetString()
        );
        Assert.Equal(2, daemon.Calls.Count);
    }
}
