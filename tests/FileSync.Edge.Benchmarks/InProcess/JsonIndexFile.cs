using System.Text.Json;
using System.Text.Json.Serialization;
using FileSync.Edge.Workspace;

namespace FileSync.Edge.Benchmarks.InProcess;

/// <summary>
/// The index file of format version 2 (JSON), as the agent wrote and read it before format 3
/// (MessagePack): kept here, and only here, so that one run measures both formats on the same index.
/// Same steps as the agent took: a list of records serialized by a source-generated context to a file
/// stream flushed to disk and renamed over the old file; on load, the same checks per entry.
/// </summary>
internal static class JsonIndexFile
{
    private const int FormatVersion = 2;

    public static void Save(string file, string rootPath, WorkspaceIndex index)
    {
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
            JsonSerializer.Serialize(stream, saved, JsonIndexFileContext.Default.SavedIndex);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, file, overwrite: true);
    }

    public static bool TryLoad(string file, string rootPath, WorkspaceIndex index)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read);
        var saved = JsonSerializer.Deserialize(stream, JsonIndexFileContext.Default.SavedIndex);
        if (
            saved is null
            || saved.Version != FormatVersion
            || saved.Root != rootPath
            || saved.Entries is null
        )
        {
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
