namespace FileSync.Edge.Tests.Tray;

/// <summary>A fact that needs a real notification daemon (dunst on Xvfb) on a private session bus; skipped with the reason outside CI when one is missing.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class NotificationDaemonFactAttribute : FactAttribute
{
    public NotificationDaemonFactAttribute()
    {
        if (NotificationDaemon.Unavailable is { } reason)
        {
            Skip = reason;
        }
    }
}
