namespace FileSync.Edge.Workspace.Pipeline;

/// <summary>
/// Where a full sync's time goes, for the log line after the first one (the benchmark harness reads it):
/// the phases on the loop (scan, index pass, manifest exchange, send pass, done acknowledged) as wall
/// time, and inside the send pass the time the hash workers spent reading+hashing and compressing (CPU
/// time summed over the workers, so it can exceed the pass) and the loop's framing and socket sends.
/// The workers add from their threads; everything else is the loop's.
/// </summary>
internal sealed class SyncTimings(TimeProvider time)
{
    private long _readHashTicks;
    private long _compressTicks;

    public TimeSpan Scan { get; set; }
    public TimeSpan IndexPass { get; set; }
    public TimeSpan ManifestExchange { get; set; }
    public TimeSpan SendPass { get; set; }
    public TimeSpan DoneAcknowledged { get; set; }
    public TimeSpan Frame { get; private set; }
    public TimeSpan Socket { get; private set; }
    public TimeSpan ReadHash => TimeSpan.FromTicks(Interlocked.Read(ref _readHashTicks));
    public TimeSpan Compress => TimeSpan.FromTicks(Interlocked.Read(ref _compressTicks));

    public long Now() => time.GetTimestamp();

    public TimeSpan Since(long timestamp) => time.GetElapsedTime(timestamp);

    /// <summary>A hash worker read and hashed a file in the send pass (any thread).</summary>
    public void AddReadHash(long since) =>
        Interlocked.Add(ref _readHashTicks, time.GetElapsedTime(since).Ticks);

    /// <summary>A hash worker compressed a file's content (any thread).</summary>
    public void AddCompress(long since) =>
        Interlocked.Add(ref _compressTicks, time.GetElapsedTime(since).Ticks);

    public void AddFrame(long since) => Frame += time.GetElapsedTime(since);

    public void AddSocket(long since) => Socket += time.GetElapsedTime(since);

    /// <summary>Starts a new sync's account.</summary>
    public void Reset()
    {
        Scan = IndexPass = ManifestExchange = SendPass = DoneAcknowledged = TimeSpan.Zero;
        Frame = Socket = TimeSpan.Zero;
        Interlocked.Exchange(ref _readHashTicks, 0);
        Interlocked.Exchange(ref _compressTicks, 0);
    }
}
