namespace FileSync.Edge.Uplink;

/// <summary>
/// The server closed the connection because another connection of this edge identity holds it (close
/// 4001) or replaced it (4002). Not retried: two agents sharing one identity would knock each other
/// off forever.
/// </summary>
public sealed class UplinkIdentityConflictException(string message) : Exception(message);
