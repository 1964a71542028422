using FileSync.Tray.Notifications;
using FileSync.Tray.State;

namespace FileSync.Tray;

/// <summary>A notification-area icon with a menu (Linux: StatusNotifierItem; Windows: Shell_NotifyIcon).</summary>
public interface ITrayIcon : IAsyncDisposable
{
    /// <summary>Shows the icon; <paramref name="onMenuItem"/> is called (on any thread) with the id of a clicked item.</summary>
    Task StartAsync(Action<int> onMenuItem, CancellationToken cancellationToken = default);

    /// <summary>Shows <paramref name="view"/> and <paramref name="menu"/> (called only when one of them changed).</summary>
    void Update(TrayView view, IReadOnlyList<TrayMenuItem> menu);

    /// <summary>Raises a desktop notification (Linux: org.freedesktop.Notifications; Windows: a balloon); never throws.</summary>
    void Notify(TrayNotification notification);

    /// <summary>Completes when the icon can no longer be shown (the session bus went away, the window closed).</summary>
    Task Completion { get; }
}
