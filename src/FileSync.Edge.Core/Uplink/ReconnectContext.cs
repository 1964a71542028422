namespace FileSync.Edge.Uplink;

/// <summary>What a reconnect policy knows when asked for the next delay.</summary>
/// <param name="Attempt">Failed attempts since the last successful connection (0 for the first retry).</param>
/// <param name="Elapsed">Time since the connection was lost.</param>
/// <param name="LastError">Why the last attempt (or the connection) failed.</param>
/// <param name="LongRetries">
/// How many answers in a row before this one called for a long pause (a gateway's 401/403, a replaced
/// connection), counted across successful connections: each doubles the next long pause.
/// </param>
public readonly record struct ReconnectContext(
    int Attempt,
    TimeSpan Elapsed,
    Exception? LastError,
    int LongRetries = 0
);
