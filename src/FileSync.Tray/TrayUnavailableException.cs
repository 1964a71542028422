namespace FileSync.Tray;

/// <summary>The icon cannot be shown here (no session bus, no notification area); the message is one line for the user.</summary>
public sealed class TrayUnavailableException(string message) : Exception(message);
