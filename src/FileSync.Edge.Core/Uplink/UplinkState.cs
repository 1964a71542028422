namespace FileSync.Edge.Uplink;

/// <summary>States of <see cref="UplinkConnection"/>.</summary>
public enum UplinkState
{
    Disconnected,
    Connecting,
    Connected,
    Reconnecting,
    Stopped,
}
