using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace FileSync.Edge.Workspace;

/// <summary>
/// Persists a workspace's index (path → size, mtime, ctime, file id, hash) in the user's state directory
/// so a restarted agent does not re-read unchanged files, in MessagePack (see
/// <see cref="WorkspaceIndexFormat"/>). Writes are atomic (temp file, flushed to disk, then renamed). A
/// truncated or corrupt file, one written for another root or format version, and the JSON index of
/// earlier versions are ignored with a reason (the caller warns), and the index is rebuilt by reading the
/// files again: nothing is lost.
/// </summary>
public sealed class WorkspaceIndexStore(string stateDirectory)
{
    public string StateDirectory { get; } = stateDirectory;

    /// <summary>The file holding the index of <paramref name="rootPath"/>.</summary>
    public string PathFor(string rootPath) =>
        Path.Combine(StateDirectory, $"index-{IdOf(rootPath)}.msgpack");

    /// <summary>Where versions 1 and 2 kept the index (JSON): reported once, removed by the next save.</summary>
    public string LegacyJsonPathFor(string rootPath) =>
        Path.Combine(StateDirectory, $"index-{IdOf(rootPath)}.json");

    private static string IdOf(string rootPath) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(rootPath)))[..16];

    /// <summary>Loads the saved index into <paramref name="index"/>. Returns false with a reason when there is none usable.</summary>
    public bool TryLoad(string rootPath, WorkspaceIndex index, out string problem)
    {
        problem = "";
        var file = PathFor(rootPath);
        if (!File.Exists(file))
        {
            var legacy = LegacyJsonPathFor(rootPath);
            if (File.Exists(legacy))
            {
                problem = $"{legacy} is in the JSON format of an earlier version";
            }
            return false;
        }
        byte[] data;
        try
        {
            data = File.ReadAllBytes(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problem = $"{file} is unreadable: {ex.Message}";
            return false;
        }
        if (!WorkspaceIndexFormat.TryRead(data, rootPath, index, out var reason))
        {
            problem = $"{file} {reason}";
            return false;
        }
        return true;
    }

    /// <summary>Writes <paramref name="index"/> atomically. Throws IOException on failure (the caller logs).</summary>
    public void Save(string rootPath, WorkspaceIndex index)
    {
        Directory.CreateDirectory(StateDirectory);
        var file = PathFor(rootPath);
        var temp = file + $".{Environment.ProcessId}.tmp";
        var buffer = new ArrayBufferWriter<byte>(256 + (index.Count * 128));
        WorkspaceIndexFormat.Write(buffer, rootPath, index);
        try
        {
            using (
                var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None)
            )
            {
                stream.Write(buffer.WrittenSpan);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, file, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
        TryDelete(LegacyJsonPathFor(rootPath));
    }

    private static void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left behind: harmless (a temp file is overwritten by the next save, a JSON index is never read).
        }
    }
}
