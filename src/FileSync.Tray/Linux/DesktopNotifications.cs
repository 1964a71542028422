using System.Runtime.Versioning;
using FileSync.Tray.Notifications;
using Tmds.DBus.Protocol;

namespace FileSync.Tray.Linux;

/// <summary>
/// <c>org.freedesktop.Notifications.Notify</c> on the session bus (the desktop's notification daemon: the
/// panel's own, dunst, xfce4-notifyd, …). The body is markup for most daemons, so it is sent escaped. A
/// missing daemon is reported once in the tray's log.
/// </summary>
[UnsupportedOSPlatform("windows")]
internal sealed class DesktopNotifications(TextWriter log)
{
    public const string Service = "org.freedesktop.Notifications";
    private const string ObjectPath = "/org/freedesktop/Notifications";
    private int _failuresReported;

    /// <summary>Sends <paramref name="notification"/>; failures are logged, never thrown.</summary>
    public void Send(DBusConnection connection, TrayNotification notification, string iconName)
    {
        _ = SendAsync();

        async Task SendAsync()
        {
            try
            {
                var id = await connection
                    .CallMethodAsync(
                        Message(connection, notification, iconName),
                        static (Message m, object? _) => m.GetBodyReader().ReadUInt32()
                    )
                    .ConfigureAwait(false);
                await log.WriteLineAsync($"filesync-tray: notified ({id}): {notification.Summary}")
                    .ConfigureAwait(false);
            }
            catch (Exception ex)
                when (ex is DBusExceptionBase or IOException or ObjectDisposedException)
            {
                if (Interlocked.Increment(ref _failuresReported) == 1)
                {
                    await log.WriteLineAsync(
                            $"filesync-tray: cannot raise a desktop notification ({Service}: {ex.Message}); the icon still shows the state"
                        )
                        .ConfigureAwait(false);
                }
            }
        }
    }

    private static MessageBuffer Message(
        DBusConnection connection,
        TrayNotification notification,
        string iconName
    )
    {
        using var writer = connection.GetMessageWriter();
        writer.WriteMethodCallHeader(
            destination: Service,
            path: ObjectPath,
            @interface: Service,
            member: "Notify",
            signature: "susssasa{sv}i",
            flags: MessageFlags.None
        );
        writer.WriteString("FileSync");
        writer.WriteUInt32(0); // replaces no earlier notification
        writer.WriteString(iconName);
        writer.WriteString(notification.Summary);
        writer.WriteString(SniMarkup.Escape(notification.Body));
        writer.WriteArray(Array.Empty<string>()); // no actions
        var hints = writer.WriteDictionaryStart();
        writer.WriteDictionaryEntryStart();
        writer.WriteString("urgency");
        writer.WriteVariantByte(notification.IsRecovery ? (byte)1 : (byte)2); // normal, critical
        writer.WriteDictionaryEntryStart();
        writer.WriteString("desktop-entry");
        writer.WriteVariantString("filesync-tray");
        writer.WriteDictionaryEnd(hints);
        writer.WriteInt32(-1); // the daemon's default timeout
        return writer.CreateMessage();
    }
}
