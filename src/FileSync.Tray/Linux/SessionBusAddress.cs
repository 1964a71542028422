namespace FileSync.Tray.Linux;

/// <summary>
/// Where the D-Bus session bus is: <c>DBUS_SESSION_BUS_ADDRESS</c>, else <c>$XDG_RUNTIME_DIR/bus</c> (where
/// systemd's user manager puts it, and where <c>gdbus</c> and <c>dbus-send</c> look too). A socket that is
/// not there is named as missing, before a connect fails with a less telling error.
/// </summary>
public static class SessionBusAddress
{
    /// <summary>The address to connect to; throws <see cref="TrayUnavailableException"/> with a one-line reason when there is none.</summary>
    public static string Resolve(Func<string, string?> environment)
    {
        var address = environment("DBUS_SESSION_BUS_ADDRESS");
        if (string.IsNullOrEmpty(address))
        {
            var runtime = environment("XDG_RUNTIME_DIR");
            if (string.IsNullOrEmpty(runtime))
            {
                throw new TrayUnavailableException(
                    "no D-Bus session bus: neither DBUS_SESSION_BUS_ADDRESS nor XDG_RUNTIME_DIR is set (the tray needs a desktop session)"
                );
            }
            var socket = Path.Combine(runtime, "bus");
            if (!File.Exists(socket))
            {
                throw new TrayUnavailableException(
                    $"no D-Bus session bus: {socket} does not exist (and DBUS_SESSION_BUS_ADDRESS is not set)"
                );
            }
            return "unix:path=" + socket;
        }
        // Only the first of several ';'-separated addresses is checked: a plain unix path that is missing.
        const string UnixPath = "unix:path=";
        if (address.StartsWith(UnixPath, StringComparison.Ordinal) && !address.Contains(';'))
        {
            var path = address[UnixPath.Length..].Split(',')[0];
            if (path.Length > 0 && !File.Exists(path))
            {
                throw new TrayUnavailableException(
                    $"no D-Bus session bus: {path} does not exist (DBUS_SESSION_BUS_ADDRESS={address})"
                );
            }
        }
        return address;
    }
}
