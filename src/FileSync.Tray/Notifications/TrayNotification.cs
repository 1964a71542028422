namespace FileSync.Tray.Notifications;

/// <summary>One desktop notification: a summary line and a body (plain text), and whether it reports trouble or a recovery.</summary>
public sealed record TrayNotification(string Summary, string Body, bool IsRecovery = false);
