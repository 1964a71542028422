namespace FileSync.Edge.Uplink;

/// <summary>Decides how long to wait before the next connection attempt; null means give up.</summary>
public interface IReconnectPolicy
{
    TimeSpan? NextDelay(ReconnectContext context);
}
