namespace FileSync.Edge.Uplink;

/// <summary>
/// The server closed the connection because another connection of this edge identity holds it (close
/// 4001) or replaced it (4002). Retried after a long pause (<see cref="UplinkOptions.LongRetrySeconds"/>,
/// doubling): the identity is not a secret (it can be read from any proxy's log and replayed), so a
/// replaced connection must not end the agent; a second agent on this machine is caught by the local
/// endpoint (exit code 4) before it connects.
/// </summary>
public sealed class UplinkReplacedException(int closeCode, string message) : Exception(message)
{
    public int CloseCode { get; } = closeCode;
}
