namespace FileSync.Edge.Tests.Infrastructure;

/// <summary>
/// A private D-Bus session bus: a real <c>dbus-daemon</c> (Debian package <c>dbus</c>) with a config
/// file of its own, listening on a socket in a temp folder; killed on dispose.
/// </summary>
public sealed class SessionBus : IAsyncDisposable
{
    private readonly ChildProcess _daemon;
    private readonly TempDirectory _folder;

    private SessionBus(ChildProcess daemon, TempDirectory folder, string address)
    {
        _daemon = daemon;
        _folder = folder;
        Address = address;
    }

    /// <summary>The bus address, for <c>DBUS_SESSION_BUS_ADDRESS</c>.</summary>
    public string Address { get; }

    public static string? DaemonPath =>
        new[]
        {
            "/usr/bin/dbus-daemon",
            "/bin/dbus-daemon",
            "/usr/local/bin/dbus-daemon",
        }.FirstOrDefault(File.Exists);

    /// <summary>Why the tray tests cannot run here, or null. In CI (CI=true) a missing daemon is a failure, not a skip.</summary>
    public static string? Unavailable =>
        OperatingSystem.IsLinux()
        && DaemonPath is null
        && Environment.GetEnvironmentVariable("CI") is not { Length: > 0 }
            ? "dbus-daemon is not installed (apt-get install dbus; .ci/run installs it)"
        : !OperatingSystem.IsLinux() ? "the StatusNotifierItem tray is for Linux"
        : null;

    public static async Task<SessionBus> StartAsync(ITestOutputHelper? output = null)
    {
        var daemon =
            DaemonPath
            ?? throw new InvalidOperationException(
                "dbus-daemon is not installed (apt-get install dbus)"
            );
        var folder = new TempDirectory();
        var socket = Path.Combine(folder.Path, "bus");
        var config = Path.Combine(folder.Path, "session.conf");
        File.WriteAllText(
            config,
            $"""
            <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
             "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
            <busconfig>
              <type>session</type>
              <listen>unix:path={socket}</listen>
              <auth>EXTERNAL</auth>
              <policy context="default">
                <allow send_destination="*" eavesdrop="true"/>
                <allow eavesdrop="true"/>
                <allow own="*"/>
              </policy>
            </busconfig>
            """
        );
        var info = BuiltExecutable.RedirectedStartInfo(daemon);
        foreach (
            var argument in new[]
            {
                $"--config-file={config}",
                "--nofork",
                "--nopidfile",
                "--print-address=1",
            }
        )
        {
            info.ArgumentList.Add(argument);
        }
        var process = ChildProcess.Start(info, "dbus-daemon", output);
        try
        {
            var address = await process.WaitForLineAsync(
                l => l.StartsWith("unix:", StringComparison.Ordinal),
                what: "dbus-daemon to print its address"
            );
            return new SessionBus(process, folder, address.Text.Trim());
        }
        catch
        {
            await process.DisposeAsync();
            folder.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _daemon.DisposeAsync();
        _folder.Dispose();
    }
}
