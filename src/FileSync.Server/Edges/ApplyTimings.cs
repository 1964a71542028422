namespace FileSync.Server.Edges;

/// <summary>
/// Where one connection's time went while applying file frames since the last <c>file_done</c>: parsing
/// frames, decoding content (Brotli, base64), verifying its size and hash, and writing it into the
/// mirror. Logged with each <c>file_done</c> (the benchmark harness reads the line), then started over.
/// One connection's frames are handled one at a time, so no locking.
/// </summary>
internal sealed class ApplyTimings(TimeProvider time)
{
    public int Files { get; private set; }
    public TimeSpan Parse { get; private set; }
    public TimeSpan Decode { get; private set; }
    public TimeSpan Verify { get; private set; }
    public TimeSpan Write { get; private set; }

    public long Now() => time.GetTimestamp();

    public void AddParse(long since) => Parse += time.GetElapsedTime(since);

    /// <summary>Decoding and verifying together; <see cref="AddVerify"/> tells the verifying part.</summary>
    public void AddDecodeAndVerify(long since) => Decode += time.GetElapsedTime(since);

    public void AddVerify(long since)
    {
        var elapsed = time.GetElapsedTime(since);
        Verify += elapsed;
        Decode -= elapsed;
    }

    public void AddWrite(long since)
    {
        Write += time.GetElapsedTime(since);
        Files++;
    }

    public void Reset()
    {
        Files = 0;
        Parse = Decode = Verify = Write = TimeSpan.Zero;
    }
}
