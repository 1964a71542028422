using FileSync.Edge.Tests.Infrastructure;

namespace FileSync.Edge.Tests.Tray;

/// <summary>A fact that needs a real session bus (dbus-daemon); skipped with the reason outside CI when it is missing, failed in CI.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class DBusFactAttribute : FactAttribute
{
    public DBusFactAttribute()
    {
        if (SessionBus.Unavailable is { } reason)
        {
            Skip = reason;
        }
    }
}
