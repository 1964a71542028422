namespace FileSync.Tray.State;

/// <summary>What a menu item does.</summary>
public enum TrayAction
{
    None,
    OpenFolder,
    Pause,
    Resume,
    Resync,
    ShowStatus,
    OpenLog,
    StartAgent,
    QuitAgent,
    QuitTray,
}
