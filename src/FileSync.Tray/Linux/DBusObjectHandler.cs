using System.Runtime.Versioning;
using Tmds.DBus.Protocol;

namespace FileSync.Tray.Linux;

/// <summary>
/// One exported D-Bus object at a fixed path: a call it cannot handle (wrong arguments, a message the
/// bus could not decode) is answered with <c>InvalidArgs</c> instead of ending the tray.
/// </summary>
[UnsupportedOSPlatform("windows")]
internal abstract class DBusObjectHandler : IPathMethodHandler
{
    public abstract string Path { get; }

    public bool HandlesChildPaths => false;

    public ValueTask HandleMethodAsync(MethodContext context)
    {
        try
        {
            Handle(context);
        }
        catch (Exception ex)
            when (ex is DBusExceptionBase or InvalidOperationException or IndexOutOfRangeException)
        {
            if (!context.ReplySent && !context.NoReplyExpected)
            {
                context.ReplyError("org.freedesktop.DBus.Error.InvalidArgs", ex.Message);
            }
        }
        return default;
    }

    protected abstract void Handle(MethodContext context);
}
