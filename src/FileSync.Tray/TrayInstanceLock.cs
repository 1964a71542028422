using FileSync.Edge.Local;

namespace FileSync.Tray;

/// <summary>
/// One tray per config file: an exclusive lock on <c>&lt;endpoint name&gt;-tray.lock</c> beside the agent's
/// local endpoint (the user's runtime folder; on Windows the user's temp folder), held while the tray runs
/// and released by the system when it exits however it exits.
/// </summary>
public sealed class TrayInstanceLock : IDisposable
{
    private readonly FileStream _file;

    private TrayInstanceLock(FileStream file) => _file = file;

    public static string PathFor(string configPath)
    {
        var address = LocalEndpointAddress.For(configPath);
        var folder = address.Directory ?? Path.Combine(Path.GetTempPath(), "filesync-edge");
        return Path.Combine(folder, address.Name + "-tray.lock");
    }

    /// <summary>
    /// Takes the lock; null when another tray for <paramref name="configPath"/> holds it, or (with a
    /// one-line <paramref name="problem"/>) when the lock file cannot be made at all.
    /// </summary>
    public static TrayInstanceLock? TryAcquire(string configPath, out string? problem)
    {
        problem = null;
        var path = PathFor(configPath);
        var folder = Path.GetDirectoryName(path)!;
        try
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(folder);
            }
            else if (LocalRuntimeDirectory.Ensure(folder) is { } unsafeFolder)
            {
                problem = unsafeFolder;
                return null;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problem = $"cannot create {folder}: {ex.Message}";
            return null;
        }
        try
        {
            // FileShare.None: LockFileEx on Windows, flock(LOCK_EX | LOCK_NB) on Unix.
            return new TrayInstanceLock(
                new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None)
            );
        }
        catch (UnauthorizedAccessException ex)
        {
            problem = $"cannot open {path}: {ex.Message}";
            return null;
        }
        catch (IOException)
        {
            return null; // held by another tray
        }
    }

    public void Dispose() => _file.Dispose();
}
