using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace FileSync.Edge.Workspace;

/// <summary>
/// Persists a workspace's index (path → size, mtime, hash) in the user's state directory so a restarted
/// agent does not re-read unchanged files. Writes are atomic (temp file + rename). A corrupt file, or one
/// written for another root or format version, is ignored and rebuilt.
/// </summary>
public sealed class WorkspaceIndexStore(string stateDirectory)
{
    /// <summary>2: entries carry ctime, file id and the moment they were recorded (change detection as git does it).</summary>
    private const int FormatVersion = 2;

    public string StateDirectory { get; } = stateDirectory;

    /// <summary>The default state directory: FILESYNC_STATE_DIR, else the platform's per-user state folder.</summary>
    public static string DefaultStateDirectory()
    {
        if (
            Environment.GetEnvironmentVariable("FILESYNC_STATE_DIR") is
            { Length: > 0 } fromEnvironment
        )
        {
            return Path.GetFullPath(fromEnvironment);
        }
        if (OperatingSystem.IsWindows() || OperatingSystem.IsMacOS())
        {
            return Path.Combine(
                Environment.GetFolderPath(
                    Environment.SpecialFolder.LocalApplicationData,
                    Environment.SpecialFolderOption.DoNotVerify
                ),
                "filesync-edge",
                "state"
            );
        }
        var xdg = Environment.GetEnvironmentVariable("XDG_STATE_HOME");
        var baseDirectory = string.IsNullOrEmpty(xdg)
            ? Path.Combine(
                Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
                ".local",
                "state"
            )
            : xdg;
        return Path.Combine(baseDirectory, "filesync-edge");
    }

    /// <summary>The file holding the index of <paramref name="rootPath"/>.</summary>
    public string PathFor(string rootPath)
    {
        var id = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(rootPath)))[..16];
        return Path.Combine(StateDirectory, $"index-{id}.json");
    }

    /// <summary>Loads the saved index into <paramref name="index"/>. Returns false with a reason when there is none usable.</summary>
    public bool TryLoad(string rootPath, WorkspaceIndex index, out string problem)
    {
        problem = "";
        var file = PathFor(rootPath);
        if (!File.Exists(file))
        {
            return false;
        }
        try
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read);
            var saved = JsonSerializer.Deserialize(
                stream,
                IndexStoreJsonContext.Default.SavedIndex
            );
            // Version 1 lacks ctime, file id and recording time: its entries load as racy, so each file is read once more.
            if (
                saved is null
                || saved.Version is not (1 or FormatVersion)
                || saved.Root != rootPath
                || saved.Entries is null
            )
            {
                problem = $"{file} belongs to another workspace or format";
                return false;
            }
            foreach (var entry in saved.Entries)
            {
                if (
                    string.IsNullOrEmpty(entry.Path)
                    || entry.Hash is not { Length: 64 }
                    || entry.Size < 0
                )
                {
                    index.Clear();
                    problem = $"{file} holds an invalid entry";
                    return false;
                }
                index.Set(
                    entry.Path,
                    new FileEntry(
                        entry.Size,
                        entry.Mtime,
                        entry.Hash,
                        entry.Ctime,
                        entry.FileId,
                        entry.Recorded
                    )
                );
            }
            return true;
        }
        catch (Exception ex)
            when (ex
                    is JsonException
                        or IOException
                        or UnauthorizedAccessException
                        or NotSupportedException
            )
        {
            index.Clear();
            problem = $"{file} is unreadable or corrupt: {ex.Message}";
            return false;
        }
    }

    /// <summary>Writes <paramref name="index"/> atomically. Throws IOException on failure (the caller logs).</summary>
    public void Save(string rootPath, WorkspaceIndex index)
    {
        Directory.CreateDirectory(StateDirectory);
        var file = PathFor(rootPath);
        var temp = file + $".{Environment.ProcessId}.tmp";
        var saved = new SavedIndex
        {
            Version = FormatVersion,
            Root = rootPath,
            Entries =
            [
                .. index.Entries.Select(e => new SavedEntry
                {
                    Path = e.Key,
                    Size = e.Value.Size,
                    Mtime = e.Value.MtimeTicks,
                    Ctime = e.Value.CtimeTicks,
                    FileId = e.Value.FileId,
                    Recorded = e.Value.RecordedTicks,
                    Hash = e.Value.Hash,
                }),
            ],
        };
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, saved, IndexStoreJsonContext.Default.SavedIndex);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, file, overwrite: true);
    }

    internal sealed class SavedIndex
    {
        public int Version { get; set; }
        public string? Root { get; set; }
        public List<SavedEntry>? Entries { get; set; }
    }

    internal sealed class SavedEntry
    {
        [JsonPropertyName("p")]
        public string? Path { get; set; }

        [JsonPropertyName("s")]
        public long Size { get; set; }

        [JsonPropertyName("m")]
        public long Mtime { get; set; }

        [JsonPropertyName("c")]
        public long Ctime { get; set; }

        [JsonPropertyName("i")]
        public ulong FileId { get; set; }

        [JsonPropertyName("r")]
        public long Recorded { get; set; }

        [JsonPropertyName("h")]
        public string? Hash { get; set; }
    }
}

[JsonSerializable(typeof(WorkspaceIndexStore.SavedIndex))]
internal sealed partial class IndexStoreJsonContext : JsonSerializerContext;
