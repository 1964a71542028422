using System.Text.RegularExpressions;
using FileSync.Edge.Tests.Infrastructure;

namespace FileSync.Edge.Tests.Tray;

/// <summary>
/// A real notification daemon on a private session bus: Debian's <c>dunst</c> on a private <c>Xvfb</c>
/// display (dunst draws its bubbles with X11), and <c>dbus-monitor</c> recording every
/// <c>org.freedesktop.Notifications.Notify</c> call on that bus (summary and body as sent).
/// </summary>
public sealed partial class NotificationDaemon : IAsyncDisposable
{
    private readonly ChildProcess _xvfb;
    private readonly ChildProcess _dunst;
    private readonly ChildProcess _monitor;
    private readonly TempDirectory _folder;

    private NotificationDaemon(
        ChildProcess xvfb,
        ChildProcess dunst,
        ChildProcess monitor,
        TempDirectory folder
    )
    {
        _xvfb = xvfb;
        _dunst = dunst;
        _monitor = monitor;
        _folder = folder;
    }

    private static readonly string[] s_tools = ["dunst", "Xvfb", "dbus-monitor"];

    /// <summary>Why the notification tests cannot run here, or null. In CI a missing tool is a failure, not a skip.</summary>
    public static string? Unavailable =>
        SessionBus.Unavailable
        ?? (
            s_tools.FirstOrDefault(t => Find(t) is null) is { } missing
            && Environment.GetEnvironmentVariable("CI") is not { Length: > 0 }
                ? $"{missing} is not installed (apt-get install dunst xvfb dbus; .ci/run installs them)"
                : null
        );

    private static string? Find(string tool) =>
        new[] { "/usr/bin/", "/bin/", "/usr/local/bin/" }
            .Select(d => d + tool)
            .FirstOrDefault(File.Exists);

    public static async Task<NotificationDaemon> StartAsync(
        string busAddress,
        ITestOutputHelper? output
    )
    {
        var folder = new TempDirectory();
        var xvfbInfo = BuiltExecutable.RedirectedStartInfo(Find("Xvfb") ?? "Xvfb");
        foreach (
            var argument in new[]
            {
                "-displayfd",
                "1",
                "-nolisten",
                "tcp",
                "-screen",
                "0",
                "800x600x24",
            }
        )
        {
            xvfbInfo.ArgumentList.Add(argument);
        }
        var xvfb = ChildProcess.Start(xvfbInfo, "Xvfb", output);
        var display = await xvfb.WaitForLineAsync(
            l => Regex.IsMatch(l.Trim(), "^[0-9]+$"),
            what: "Xvfb to print its display number"
        );
        var config = Path.Combine(folder.Path, "dunstrc");
        File.WriteAllText(config, "[global]\n    timeout = 60\n");
        var dunstInfo = BuiltExecutable.RedirectedStartInfo(Find("dunst") ?? "dunst");
        dunstInfo.ArgumentList.Add("-config");
        dunstInfo.ArgumentList.Add(config);
        dunstInfo.Environment["DISPLAY"] = ":" + display.Text.Trim();
        dunstInfo.Environment["DBUS_SESSION_BUS_ADDRESS"] = busAddress;
        dunstInfo.Environment.Remove("WAYLAND_DISPLAY");
        var dunst = ChildProcess.Start(dunstInfo, "dunst", output);
        var monitorInfo = BuiltExecutable.RedirectedStartInfo(
            Find("dbus-monitor") ?? "dbus-monitor"
        );
        monitorInfo.ArgumentList.Add("--address");
        monitorInfo.ArgumentList.Add(busAddress);
        monitorInfo.ArgumentList.Add(
            "type='method_call',interface='org.freedesktop.Notifications',member='Notify'"
        );
        var monitor = ChildProcess.Start(monitorInfo, "dbus-monitor", output);
        return new NotificationDaemon(xvfb, dunst, monitor, folder);
    }

    /// <summary>Waits until dunst owns <c>org.freedesktop.Notifications</c> and dbus-monitor listens.</summary>
    public async Task WaitUntilReadyAsync(StandInStatusNotifierWatcher client)
    {
        await Wait.UntilAsync(
            async () => await client.HasOwnerAsync("org.freedesktop.Notifications"),
            Wait.Generous,
            () => $"dunst to own org.freedesktop.Notifications; dunst:\n{_dunst.Output}"
        );
        await Wait.UntilAsync(
            () => _monitor.Lines.Any(l => l.Contains("NameAcquired", StringComparison.Ordinal)),
            Wait.Generous,
            () => $"dbus-monitor to listen; it printed:\n{_monitor.Output}"
        );
    }

    /// <summary>The Notify calls seen so far: (summary, body), oldest first.</summary>
    public IReadOnlyList<(string Summary, string Body)> Calls
    {
        get
        {
            var calls = new List<(string, string)>();
            List<string>? strings = null;
            foreach (var line in _monitor.Lines)
            {
                if (line.StartsWith("method call", StringComparison.Ordinal))
                {
                    strings = line.Contains("member=Notify", StringComparison.Ordinal) ? [] : null;
                    continue;
                }
                if (strings is not null && StringArgument().Match(line) is { Success: true } match)
                {
                    strings.Add(match.Groups[1].Value);
                    if (strings.Count == 4) // app name, icon, summary, body
                    {
                        calls.Add((strings[2], strings[3]));
                        strings = null;
                    }
                }
            }
            return calls;
        }
    }

    [GeneratedRegex("^\\s+string \"(.*)\"$")]
    private static partial Regex StringArgument();

    public async ValueTask DisposeAsync()
    {
        await _monitor.DisposeAsync();
        await _dunst.DisposeAsync();
        await _xvfb.DisposeAsync();
        _folder.Dispose();
    }
}
