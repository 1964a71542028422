namespace FileSync.Tray.State;

/// <summary>What the tray icon shows, most urgent first.</summary>
public enum TrayKind
{
    /// <summary>No agent answers at the endpoint.</summary>
    NoAgent,

    /// <summary>The agent is not connected to its server.</summary>
    Offline,

    /// <summary>A workspace is refused, missing or stopped, or files failed.</summary>
    Error,

    /// <summary>A workspace is paused (nothing is sent for it).</summary>
    Paused,

    /// <summary>Changes are being sent (initial sync, pending changes).</summary>
    Syncing,

    /// <summary>Connected, every workspace in sync.</summary>
    Synced,

    /// <summary>The tray has no answer from the agent yet (it just started, or started the agent): nothing to alarm about.</summary>
    Starting,
}
