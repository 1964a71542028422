using FileSync.Edge.Local;
using FileSync.Tray;
using FileSync.Tray.State;
using FileSync.Tray.Windows;

namespace FileSync.Edge.Tests.Tray;

/// <summary>The tray's logic without a desktop: state → icon, the menu, the Windows icon's pixels, the command line.</summary>
public sealed class TrayStateTests
{
    private static readonly DateTimeOffset s_now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static AgentStatusView Status(
        string connection = "connected",
        params WorkspaceStatusView[] workspaces
    ) =>
        new()
        {
            Version = "1",
            Pid = 1,
            StartedAt = s_now,
            Connection = new ConnectionStatusView
            {
                Server = "wss://host/ws/v1/edge",
                State = connection,
                Since = s_now,
                LastError = connection == "connected" ? null : "Connection refused",
            },
            Workspaces = workspaces,
        };

    private static WorkspaceStatusView Workspace(
        string name,
        string state = "watching",
        bool paused = false,
        int pending = 0,
        int errors = 0
    ) =>
        new()
        {
            Path = "/w/" + name,
            Name = name,
            State = paused ? "paused" : state,
            Paused = paused,
            Files = 10,
            Bytes = 2500,
            Pending = pending,
            Errors = errors,
            LastError = errors > 0 ? "x: Permission denied" : null,
        };

    public static TheoryData<string, TrayKind, string, string> Cases =>
        new()
        {
            { "synced", TrayKind.Synced, TrayStateMapper.Active, "emblem-default" },
            { "syncing", TrayKind.Syncing, TrayStateMapper.Active, "view-refresh" },
            { "pending", TrayKind.Syncing, TrayStateMapper.Active, "view-refresh" },
            { "paused", TrayKind.Paused, TrayStateMapper.Active, "media-playback-pause" },
            { "offline", TrayKind.Offline, TrayStateMapper.NeedsAttention, "network-offline" },
            { "errors", TrayKind.Error, TrayStateMapper.NeedsAttention, "dialog-error" },
            { "refused", TrayKind.Error, TrayStateMapper.NeedsAttention, "dialog-error" },
            { "none", TrayKind.NoAgent, TrayStateMapper.NeedsAttention, "process-stop" },
        };

    private static AgentStatusView? Scenario(string name) =>
        name switch
        {
            "synced" => Status("connected", Workspace("a"), Workspace("b")),
            "syncing" => Status("connected", Workspace("a", "syncing")),
            "pending" => Status("connected", Workspace("a", pending: 3)),
            "paused" => Status("connected", Workspace("a", paused: true), Workspace("b")),
            "offline" => Status(
                "reconnecting",
                Workspace("a", "waiting"),
                Workspace("b", errors: 2)
            ),
            "errors" => Status(
                "connected",
                Workspace("a", errors: 2),
                Workspace("b", paused: true)
            ),
            "refused" => Status("connected", Workspace("a", "refused")),
            _ => null,
        };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Map_EachState_GivesItsKindStatusAndIcon(
        string scenario,
        TrayKind kind,
        string status,
        string icon
    )
    {
        var view = TrayStateMapper.Map(Scenario(scenario), "no agent runs");
        Assert.Equal(kind, view.Kind);
        Assert.Equal(status, view.Status);
        Assert.Equal(icon, view.IconName);
        Assert.StartsWith("FileSync", view.Title);
        Assert.NotEmpty(view.Text);
    }

    [Fact]
    public void Map_TooltipCarriesCountsAndReasons()
    {
        var synced = TrayStateMapper.Map(Scenario("synced"), null);
        Assert.Equal("FileSync: in sync", synced.Title);
        Assert.Contains(
            "2 workspaces, 20 files, 5.0 KB; 0 pending, 0 skipped, 0 errors",
            synced.Text
        );

        var offline = TrayStateMapper.Map(Scenario("offline"), null);
        Assert.Contains("Not connected to wss://host/ws/v1/edge (reconnecting)", offline.Text);
        Assert.Contains("Last error: Connection refused", offline.Text);

        var errors = TrayStateMapper.Map(Scenario("errors"), null);
        Assert.Contains("a: 2 files failing (x: Permission denied)", errors.Text);

        var none = TrayStateMapper.Map(null, "No agent runs with the config file /c.json.");
        Assert.Equal("No agent runs with the config file /c.json.", none.Text);
        Assert.Equal("FileSync: agent not running", none.Title);

        Assert.Equal(40, synced.ShortText(40).Length);
        Assert.EndsWith("…", synced.ShortText(40));
    }

    [Fact]
    public void Menu_HasConnectionWorkspacesAndActions_WithStableIds()
    {
        var menu = TrayMenuBuilder.Build(Scenario("paused"), null);
        var labels = menu.Where(i => !i.IsSeparator).Select(i => i.Label).ToList();
        Assert.Equal(
            [
                "Connected to wss://host/ws/v1/edge",
                "a — paused (10 files)",
                "b — watching (10 files)",
                "Pause syncing",
                "Resume syncing",
                "Resync now",
                "Show status",
                "Open log",
                "Quit agent",
                "Quit tray",
            ],
            labels
        );
        Assert.False(menu[0].Enabled);
        var folder = menu.Single(i => i.Label.StartsWith("a — ", StringComparison.Ordinal));
        Assert.Equal(
            (TrayAction.OpenFolder, "/w/a", TrayMenuBuilder.FirstWorkspaceId),
            (folder.Action, folder.Argument, folder.Id)
        );
        Assert.Equal(TrayAction.Pause, menu.Single(i => i.Id == TrayMenuBuilder.PauseId).Action);
        Assert.Equal(TrayAction.Resume, menu.Single(i => i.Id == TrayMenuBuilder.ResumeId).Action);

        var allRunning = TrayMenuBuilder.Build(Scenario("synced"), null);
        Assert.DoesNotContain(allRunning, i => i.Id == TrayMenuBuilder.ResumeId);
        Assert.Equal(
            menu.Where(i => i.Id < 100).Select(i => i.Id).Except([TrayMenuBuilder.ResumeId]),
            allRunning.Where(i => i.Id < 100).Select(i => i.Id)
        );

        var none = TrayMenuBuilder.Build(null, "No agent runs.");
        Assert.Equal(
            ["Agent not running", "No agent runs.", "Start agent", "Quit tray"],
            none.Where(i => !i.IsSeparator).Select(i => i.Label)
        );
    }

    [Fact]
    public void Menu_ManyWorkspaces_AreCappedWithAMoreLine()
    {
        var many = Status(
            "connected",
            [.. Enumerable.Range(0, 40).Select(i => Workspace("w" + i))]
        );
        var menu = TrayMenuBuilder.Build(many, null);
        Assert.Equal(
            TrayMenuBuilder.MaxWorkspaceLines,
            menu.Count(i => i.Action == TrayAction.OpenFolder)
        );
        Assert.Contains(menu, i => i.Label == "… and 10 more (Show status)");
    }

    [Fact]
    public void WindowsIcon_IsTheStatesArt_AndEveryStateHasItsOwnColour()
    {
        var pixels = StateIcon.Pixels(TrayKind.Synced);
        Assert.Equal(StateIcon.Size * StateIcon.Size, pixels.Length);
        Assert.Equal(FileSync.Tray.Icons.StateIconArt.Pixels(TrayKind.Synced, 16), pixels);
        Assert.Equal(0u, pixels[0]); // corner: transparent
        Assert.Equal(32, StateIcon.EmptyMask(16).Length); // 2 bytes a row
        Assert.Equal(4 * 20, StateIcon.EmptyMask(20).Length); // rows padded to 16 bits
        var colours = new HashSet<uint>();
        foreach (
            var scenario in new[] { "synced", "syncing", "paused", "offline", "errors", "none" }
        )
        {
            colours.Add(TrayStateMapper.Map(Scenario(scenario), null).Rgb);
        }
        Assert.Equal(6, colours.Count); // every state its own colour
    }

    [Fact]
    public void Options_ParseAndRefuseBadArguments()
    {
        var options = TrayOptions.Parse(
            ["--config", "/x/c.json", "--no-start", "--interval-ms", "500"],
            out var error,
            out var help
        );
        Assert.NotNull(options);
        Assert.Equal("/x/c.json", options.ConfigPath);
        Assert.True(options.NoStart);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.Interval);
        Assert.False(help);

        Assert.Null(TrayOptions.Parse(["--bogus"], out error, out _));
        Assert.Equal("unknown argument '--bogus'", error);
        Assert.Null(TrayOptions.Parse(["--config"], out error, out _));
        Assert.Equal("--config needs a value", error);
        Assert.Null(TrayOptions.Parse(["--interval-ms", "5"], out error, out _));
        Assert.Null(TrayOptions.Parse(["--help"], out _, out help));
        Assert.True(help);
    }

    [Fact]
    public void Menu_NotConnected_ShowsWhyUnderTheConnectionLine()
    {
        var status = Status("reconnecting") with
        {
            Connection = Status("reconnecting").Connection with
            {
                LastError =
                    "the server's certificate was refused: PartialChain — certificate not trusted: see README, Networks",
            },
        };

        var menu = TrayMenuBuilder.Build(status, null);

        Assert.Contains(
            menu,
            item => item.Label.Contains("PartialChain", StringComparison.Ordinal)
        );
        Assert.Contains(
            "certificate not trusted: see README, Networks",
            TrayStateMapper.Map(status, null).Text,
            StringComparison.Ordinal
        );
    }
}
