using FileSync.Edge.Local;
using FileSync.Edge.Tests.Infrastructure;
using FileSync.Tray.Icons;
using FileSync.Tray.Linux;
using FileSync.Tray.State;
using Tmds.DBus.Protocol;

namespace FileSync.Edge.Tests.Tray;

/// <summary>
/// The StatusNotifierItem itself on a real session bus (a private <c>dbus-daemon</c>), read over D-Bus by the
/// stand-in watcher as a panel reads it: the tooltip's markup escaped, the icons as <c>IconPixmap</c>, the
/// neutral start-up state. The tray's logic is driven in-process (<see cref="SniTrayIcon.Update"/>), so
/// every state can be shown without producing it in a real agent.
/// </summary>
[Trait("Category", "Integration")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class LinuxTrayItemTests : IAsyncLifetime
{
    private const string Sni = "org.kde.StatusNotifierItem";
    private static readonly DateTimeOffset s_now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private SessionBus? _bus;
    private StandInStatusNotifierWatcher? _watcher;
    private SniTrayIcon? _icon;

    public Task InitializeAsync() => Task.CompletedTask;

    // IAsyncLifetime, not IAsyncDisposable: xunit 2 does not dispose a test class asynchronously, and
    // each test left its dbus-daemon running (holding whatever descriptors it inherited).
    public async Task DisposeAsync()
    {
        if (_icon is not null)
        {
            await _icon.DisposeAsync();
        }
        _watcher?.Dispose();
        if (_bus is not null)
        {
            await _bus.DisposeAsync();
        }
    }

    private async Task<string> StartItemAsync()
    {
        _bus = await SessionBus.StartAsync();
        _watcher = await StandInStatusNotifierWatcher.StartAsync(_bus.Address);
        var address = _bus.Address;
        _icon = new SniTrayIcon(
            TimeProvider.System,
            TextWriter.Null,
            name => name == "DBUS_SESSION_BUS_ADDRESS" ? address : null
        );
        await _icon.StartAsync(_ => { });
        var watcher = _watcher;
        await Wait.UntilAsync(
            () => watcher.Registered.Count > 0,
            Wait.Generous,
            () => "the item to register"
        );
        return watcher.Registered.First().Service;
    }

    private Task<VariantValue> PropertyAsync(string service, string name) =>
        _watcher!.GetPropertyAsync(service, SniTrayIcon.ItemPath, Sni, name);

    private static AgentStatusView Status(
        string server,
        string connection,
        params WorkspaceStatusView[] workspaces
    ) =>
        new()
        {
            Version = "1",
            Connection = new ConnectionStatusView
            {
                Server = server,
                State = connection,
                Since = s_now,
                LastError =
                    connection == "connected" ? null : "refused <by> the server & its proxy",
            },
            Workspaces = workspaces,
        };

    [DBusFact]
    public async Task ToolTip_NameUrlAndErrorWithMarkupCharacters_AreSentEscaped()
    {
        var service = await StartItemAsync();
        var missing = new WorkspaceStatusView
        {
            Path = "/w/R&D_<beta>",
            Name = "R&D_<beta>",
            State = "missing",
            LastError = "'/w/R&D_<beta>' is gone: a < b && c > d",
        };
        var broken = TrayStateMapper.Map(
            Status("wss://host/ws?team=r&d", "connected", missing),
            null
        );
        _icon!.Update(broken, TrayMenuBuilder.Build(null, null));

        var tip = await PropertyAsync(service, "ToolTip");
        var (title, text) = (tip.GetItem(2).GetString(), tip.GetItem(3).GetString());
        Assert.Equal("FileSync: R&amp;D_&lt;beta&gt; missing", title);
        Assert.Contains(
            "R&amp;D_&lt;beta&gt;: missing ('/w/R&amp;D_&lt;beta&gt;' is gone: a &lt; b &amp;&amp; c &gt; d)",
            text
        );
        AssertEscaped(title);
        AssertEscaped(text);
        // The Title property is plain text (no markup): unescaped.
        Assert.Equal(
            "FileSync: R&D_<beta> missing",
            (await PropertyAsync(service, "Title")).GetString()
        );

        var offline = TrayStateMapper.Map(
            Status("wss://host/ws?team=r&d&x=<1>", "reconnecting", missing),
            null
        );
        _icon.Update(offline, TrayMenuBuilder.Build(null, null));
        tip = await PropertyAsync(service, "ToolTip");
        text = tip.GetItem(3).GetString();
        Assert.Contains(
            "Not connected to wss://host/ws?team=r&amp;d&amp;x=&lt;1&gt; (reconnecting)",
            text
        );
        Assert.Contains("refused &lt;by&gt; the server &amp; its proxy", text);
        AssertEscaped(text);
    }

    /// <summary>No '&lt;' or '&gt;' at all, and every '&amp;' starts an entity.</summary>
    private static void AssertEscaped(string markup)
    {
        Assert.DoesNotContain('<', markup);
        Assert.DoesNotContain('>', markup);
        Assert.DoesNotMatch("&(?!amp;|lt;|gt;)", markup);
    }

    [DBusFact]
    public async Task IconPixmap_EveryState_IsItsOwnArtAtEverySize()
    {
        var service = await StartItemAsync();
        var server = "wss://host/ws/v1/edge";
        WorkspaceStatusView Workspace(string state, int errors = 0, bool paused = false) =>
            new()
            {
                Path = "/w/a",
                Name = "a",
                State = state,
                Errors = errors,
                Paused = paused,
            };
        var views = new[]
        {
            TrayStateMapper.Starting(),
            TrayStateMapper.Map(Status(server, "connected", Workspace("watching")), null),
            TrayStateMapper.Map(Status(server, "connected", Workspace("syncing")), null),
            TrayStateMapper.Map(
                Status(server, "connected", Workspace("paused", paused: true)),
                null
            ),
            TrayStateMapper.Map(Status(server, "reconnecting", Workspace("waiting")), null),
            TrayStateMapper.Map(
                Status(server, "connected", Workspace("watching", errors: 2)),
                null
            ),
            TrayStateMapper.Map(null, "No agent runs."),
        };
        Assert.Equal(7, views.Select(v => v.Kind).Distinct().Count());
        var seen = new Dictionary<TrayKind, Dictionary<int, byte[]>>();
        foreach (var view in views)
        {
            _icon!.Update(view, TrayMenuBuilder.Build(null, null));
            Assert.Equal(view.IconName, (await PropertyAsync(service, "IconName")).GetString());
            var pixmaps = await PropertyAsync(service, "IconPixmap");
            var bySize = new Dictionary<int, byte[]>();
            for (var i = 0; i < pixmaps.Count; i++)
            {
                var pixmap = pixmaps.GetItem(i);
                var (width, height) = (pixmap.GetItem(0).GetInt32(), pixmap.GetItem(1).GetInt32());
                var bytes = pixmap.GetItem(2).GetArray<byte>();
                Assert.Equal(width, height);
                Assert.Equal(width * height * 4, bytes.Length);
                Assert.Equal(StateIconArt.NetworkOrderArgb(view.Kind, width), bytes);
                bySize[width] = bytes;
            }
            Assert.Equal([16, 22, 24, 32, 48], bySize.Keys.Order());
            seen[view.Kind] = bySize;
            // The tooltip carries the same art.
            var tip = await PropertyAsync(service, "ToolTip");
            Assert.Equal(5, tip.GetItem(1).Count);
        }
        foreach (var size in StateIconArt.PixmapSizes)
        {
            var distinct = seen.Values.Select(s => Convert.ToHexString(s[size])).Distinct().Count();
            Assert.Equal(seen.Count, distinct);
        }
    }

    [DBusFact]
    public async Task Item_BeforeTheFirstStatus_ShowsStartingWithoutNeedsAttention()
    {
        var service = await StartItemAsync();
        Assert.Equal(TrayStateMapper.Active, (await PropertyAsync(service, "Status")).GetString());
        Assert.Equal("FileSync: starting", (await PropertyAsync(service, "Title")).GetString());
        var pixmaps = await PropertyAsync(service, "IconPixmap");
        Assert.Equal(
            StateIconArt.NetworkOrderArgb(TrayKind.Starting, 16),
            pixmaps.GetItem(0).GetItem(2).GetArray<byte>()
        );
    }
}
