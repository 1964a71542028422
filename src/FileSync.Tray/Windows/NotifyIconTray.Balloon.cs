using System.Runtime.Versioning;
using FileSync.Tray.Notifications;

namespace FileSync.Tray.Windows;

/// <summary>Desktop notifications on Windows: a balloon (a toast on Windows 10/11) from the tray icon, <c>NIF_INFO</c>.</summary>
[SupportedOSPlatform("windows")]
public sealed partial class NotifyIconTray
{
    private readonly Queue<TrayNotification> _balloons = new();

    public void Notify(TrayNotification notification)
    {
        lock (_gate)
        {
            _balloons.Enqueue(notification);
        }
        if (_window != 0)
        {
            Win32.PostMessage(_window, BalloonMessage, 0, 0);
        }
    }

    /// <summary>Shows the queued balloons (on the window's thread).</summary>
    private unsafe void ShowBalloons()
    {
        while (true)
        {
            TrayNotification notification;
            lock (_gate)
            {
                if (!_balloons.TryDequeue(out notification!))
                {
                    return;
                }
            }
            var data = new Win32.NOTIFYICONDATAW
            {
                cbSize = (uint)sizeof(Win32.NOTIFYICONDATAW),
                hWnd = _window,
                uID = 1,
                uFlags = Win32.NIF_INFO,
                dwInfoFlags = notification.IsRecovery ? Win32.NIIF_INFO : Win32.NIIF_WARNING,
            };
            Copy(notification.Summary, data.szInfoTitle, 64);
            Copy(notification.Body, data.szInfo, 256);
            if (!Win32.Shell_NotifyIcon(Win32.NIM_MODIFY, &data))
            {
                _log.WriteLine(
                    $"filesync-tray: cannot show a notification: {notification.Summary}"
                );
            }
        }
    }

    /// <summary>Copies <paramref name="text"/> into a fixed buffer, cut with "…" to fit with its terminating NUL.</summary>
    private static unsafe void Copy(string text, char* buffer, int capacity)
    {
        if (text.Length >= capacity)
        {
            text = text[..(capacity - 2)] + "…";
        }
        for (var i = 0; i < text.Length; i++)
        {
            buffer[i] = text[i];
        }
        buffer[text.Length] = '\0';
    }
}
