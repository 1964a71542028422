using FileSync.Edge.Workspace;

namespace FileSync.Edge.Hosting;

/// <summary>
/// Shows the progress of long initial syncs on an interactive terminal (stderr): one line rewritten in
/// place at most four times a second. Silent when stderr is redirected.
/// </summary>
public sealed class ConsoleSyncProgress(TimeProvider time) : ISyncProgress
{
    private static readonly TimeSpan s_interval = TimeSpan.FromMilliseconds(250);
    private readonly Lock _gate = new();
    private long _lastWrite;
    private bool _lineOpen;

    public static bool IsInteractive => !Console.IsErrorRedirected;

    public void Report(SyncProgressSnapshot snapshot)
    {
        lock (_gate)
        {
            if (snapshot.Completed)
            {
                if (_lineOpen)
                {
                    Console.Error.Write("\r\e[2K");
                    _lineOpen = false;
                }
                return;
            }
            if (_lastWrite != 0 && time.GetElapsedTime(_lastWrite) < s_interval)
            {
                return;
            }
            _lastWrite = time.GetTimestamp();
            Console.Error.Write(
                $"\r\e[2K{snapshot.Workspace}: {snapshot.Scanned} files scanned, {snapshot.Hashed} hashed, {snapshot.Sent} sent"
            );
            _lineOpen = true;
        }
    }
}
