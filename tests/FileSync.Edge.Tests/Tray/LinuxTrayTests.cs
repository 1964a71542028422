using System.Text.Json;
using FileSync.Edge.Local;
using FileSync.Edge.Tests.Infrastructure;
using FileSync.Edge.Tests.Local;
using Tmds.DBus.Protocol;

namespace FileSync.Edge.Tests.Tray;

/// <summary>
/// The real <c>filesync-tray</c> on a real session bus (a private <c>dbus-daemon</c>) with a stand-in
/// <c>org.kde.StatusNotifierWatcher</c>, steering the real agent it started against the real server.
/// </summary>
[Trait("Category", "Integration")]
public sealed class LinuxTrayTests(ITestOutputHelper output) : LocalTestBase(output)
{
    private const string Sni = "org.kde.StatusNotifierItem";
    private SessionBus? _bus;
    private StandInStatusNotifierWatcher? _watcher;
    private ChildProcess? _tray;

    public override async Task DisposeAsync()
    {
        if (_tray is not null)
        {
            await _tray.DisposeAsync();
        }
        _watcher?.Dispose();
        if (_bus is not null)
        {
            await _bus.DisposeAsync();
        }
        await base.DisposeAsync();
    }

    private async Task<string> StartTrayAsync(params string[] extraArguments)
    {
        _bus = await SessionBus.StartAsync(Output);
        _watcher = await StandInStatusNotifierWatcher.StartAsync(_bus.Address);
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
                .. extraArguments,
            ],
            Output,
            environment
        );
        var watcher = _watcher;
        await Wait.UntilAsync(
            () => watcher.Registered.Count > 0 || _tray.HasExited,
            Wait.Generous,
            () => $"the tray to register its item; tray output:\n{_tray.Output}"
        );
        Assert.False(_tray.HasExited, _tray.Output);
        var (service, sender) = watcher.Registered.First();
        Assert.StartsWith("org.kde.StatusNotifierItem-", service);
        Assert.StartsWith(":", sender);
        return service;
    }

    private async Task<string> PropertyAsync(string service, string name) =>
        (await _watcher!.GetPropertyAsync(service, "/StatusNotifierItem", Sni, name)).GetString();

    private async Task<(string Title, string Text)> ToolTipAsync(string service)
    {
        var tip = await _watcher!.GetPropertyAsync(service, "/StatusNotifierItem", Sni, "ToolTip");
        return (tip.GetItem(2).GetString(), tip.GetItem(3).GetString());
    }

    private async Task WaitForIconAsync(
        string service,
        string status,
        string iconName,
        string title
    )
    {
        var seen = "";
        await Wait.UntilAsync(
            async () =>
            {
                var (shownTitle, _) = await ToolTipAsync(service);
                seen =
                    $"{await PropertyAsync(service, "Status")} {await PropertyAsync(service, "IconName")} '{shownTitle}'";
                return seen == $"{status} {iconName} '{title}'";
            },
            Wait.Generous,
            () =>
                $"the item to show {status} {iconName} '{title}', it shows {seen}; tray:\n{_tray!.Output}"
        );
    }

    private async Task ClickAsync(string service, string label)
    {
        var menuPath = (
            await _watcher!.GetPropertyAsync(service, "/StatusNotifierItem", Sni, "Menu")
        ).GetObjectPathAsString();
        Assert.Equal("/MenuBar", menuPath);
        var menu = await _watcher.GetMenuAsync(service, menuPath);
        var item = menu.FirstOrDefault(i => i.Label == label);
        Assert.True(
            item.Label == label,
            $"no '{label}' in the menu: {string.Join(" | ", menu.Select(i => i.Label))}"
        );
        await _watcher.ClickAsync(service, menuPath, item.Id);
    }

    private async Task<AgentStatusView> AgentStatusAsync() =>
        (
            await LocalControlClient.RequestAsync(
                Address,
                new LocalRequest { Command = LocalCommands.Status },
                Wait.Generous
            )
        ).Status!;

    [DBusFact]
    public async Task Tray_StartsTheAgent_ShowsItsState_AndItsMenuPausesAndResumesIt()
    {
        await StartServerAsync();
        var workspace = NewWorkspace();
        var name = Path.GetFileName(workspace.Path);
        workspace.Write("a.txt", "version 1\n");
        File.WriteAllText(
            ConfigFile,
            JsonSerializer.Serialize(
                new Dictionary<string, object>
                {
                    ["Uplink"] = new Dictionary<string, string>
                    {
                        ["Server"] = Server!.WebSocketUri.ToString(),
                    },
                    ["Workspaces"] = new[] { workspace.Path },
                }
            )
        );
        Assert.Equal(5, (await CliAsync("status")).ExitCode); // no agent yet: the tray starts it

        var service = await StartTrayAsync();
        Assert.Equal("ApplicationStatus", await PropertyAsync(service, "Category"));
        Assert.Equal("filesync-tray", await PropertyAsync(service, "Id"));
        await WaitForIconAsync(service, "Active", "emblem-default", "FileSync: in sync");
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));
        var (_, text) = await ToolTipAsync(service);
        Assert.Contains($"Connected to {Server.WebSocketUri.GetLeftPart(UriPartial.Path)}", text);
        Assert.Contains("1 workspace, 1 file,", text);
        Assert.Contains(
            _tray!.Lines,
            l => l.Contains("no agent was running; started one", StringComparison.Ordinal)
        );

        var menu = await _watcher!.GetMenuAsync(service, "/MenuBar");
        Assert.Contains(
            menu,
            i => i.Label.StartsWith($"{name} — watching", StringComparison.Ordinal)
        );
        Assert.Contains(
            menu,
            i =>
                i.Label == $"Connected to {Server.WebSocketUri.GetLeftPart(UriPartial.Path)}"
                && !i.Enabled
        );

        await ClickAsync(service, "Pause syncing");
        await WaitForIconAsync(service, "Active", "media-playback-pause", "FileSync: paused");
        Assert.True((await AgentStatusAsync()).Workspaces.Single().Paused);
        workspace.Write("a.txt", "version 2, written while paused\n");
        await Wait.UntilAsync(
            async () => (await AgentStatusAsync()).Workspaces.Single().Pending > 0,
            Wait.Generous,
            () => "the change to be pending"
        );
        Assert.Equal("version 1\n", File.ReadAllText(Path.Combine(MirrorOf(workspace), "a.txt")));

        await ClickAsync(service, "Resume syncing");
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));
        await WaitForIconAsync(service, "Active", "emblem-default", "FileSync: in sync");
        Assert.False((await AgentStatusAsync()).Workspaces.Single().Paused);

        await ClickAsync(service, "Quit agent");
        await WaitForIconAsync(
            service,
            "NeedsAttention",
            "process-stop",
            "FileSync: agent not running"
        );
        Assert.Equal(5, (await CliAsync("status")).ExitCode);
        Assert.False(_tray.HasExited);

        await ClickAsync(service, "Quit tray");
        Assert.Equal(0, await _tray.WaitForExitAsync());
    }

    [DBusFact]
    public async Task Tray_NoStart_ShowsAgentNotRunning_AndStartAgentStartsIt()
    {
        await StartServerAsync();
        var workspace = NewWorkspace();
        workspace.Write("a.txt", "a");
        File.WriteAllText(
            ConfigFile,
            JsonSerializer.Serialize(
                new Dictionary<string, object>
                {
                    ["Uplink"] = new Dictionary<string, string>
                    {
                        ["Server"] = Server!.WebSocketUri.ToString(),
                    },
                    ["Workspaces"] = new[] { workspace.Path },
                }
            )
        );

        var service = await StartTrayAsync("--no-start");
        await WaitForIconAsync(
            service,
            "NeedsAttention",
            "process-stop",
            "FileSync: agent not running"
        );
        var (_, text) = await ToolTipAsync(service);
        Assert.Contains($"No agent runs with the config file {ConfigFile}", text);
        Assert.Equal(5, (await CliAsync("status")).ExitCode);
        var menu = await _watcher!.GetMenuAsync(service, "/MenuBar");
        Assert.Equal("Agent not running", menu[0].Label);
        Assert.False(menu[0].Enabled);
        Assert.Equal(["Start agent", "Quit tray"], menu.TakeLast(2).Select(i => i.Label));
        Assert.DoesNotContain(menu, i => i.Label is "Pause syncing" or "Quit agent");

        await ClickAsync(service, "Start agent");
        await WaitForIconAsync(service, "Active", "emblem-default", "FileSync: in sync");
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));
        Assert.Equal(0, (await CliAsync("status")).ExitCode);
    }

    [DBusFact]
    public async Task Tray_AgentOffline_NeedsAttention()
    {
        var port = LoopbackPort.Unused();
        var workspace = NewWorkspace();
        workspace.Write("a.txt", "a");
        await StartLocalAgentAsync([workspace.Path], new Uri($"ws://127.0.0.1:{port}/ws/v1/edge"));

        var service = await StartTrayAsync();
        await WaitForIconAsync(
            service,
            "NeedsAttention",
            "network-offline",
            "FileSync: offline, reconnecting"
        );
        var (_, text) = await ToolTipAsync(service);
        Assert.Contains($"Not connected to ws://127.0.0.1:{port}/ws/v1/edge", text);
        Assert.DoesNotContain(
            _tray!.Lines,
            l => l.Contains("started one", StringComparison.Ordinal)
        );
    }
}
