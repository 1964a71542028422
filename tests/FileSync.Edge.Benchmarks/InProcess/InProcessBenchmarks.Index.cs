using FileSync.Edge.Benchmarks.Processes;
using FileSync.Edge.Workspace;

namespace FileSync.Edge.Benchmarks.InProcess;

/// <summary>The persisted index: save and load of a large index, format 2 (JSON) against format 3 (MessagePack).</summary>
internal sealed partial class InProcessBenchmarks
{
    private const string IndexRoot = "/home/dev/scale";

    private static readonly string[] s_folders =
    [
        "src",
        "lib",
        "core",
        "api",
        "ui",
        "tests",
        "docs",
    ];
    private static readonly string[] s_stems =
    [
        "main",
        "util",
        "service",
        "handler",
        "model",
        "store",
    ];
    private static readonly string[] s_extensions = [".cs", ".ts", ".py", ".md", ".json", ".txt"];

    /// <summary>
    /// Saves and loads an index of <see cref="BenchmarkOptions.IndexEntries"/> entries with the agent's
    /// store (MessagePack) and with the JSON file of format 2 (<see cref="JsonIndexFile"/>), in the same
    /// folder of the scratch directory (a tmpfs by default, so the figures are the formats' CPU cost:
    /// the flush to disk is free there). A load starts from an empty index, as at the agent's start.
    /// </summary>
    private void RunIndex(string dir)
    {
        var index = SyntheticIndex(options.IndexEntries, options.Seed);
        Log($"index: {index.Count} entries, {options.Runs} rounds");
        Directory.CreateDirectory(dir);
        var store = new WorkspaceIndexStore(dir);
        var msgpackFile = store.PathFor(IndexRoot);
        var jsonFile = Path.Join(dir, "index-format2.json");

        void SaveMsgpack() => store.Save(IndexRoot, index);
        void LoadMsgpack()
        {
            var loaded = new WorkspaceIndex();
            if (!store.TryLoad(IndexRoot, loaded, out var problem) || loaded.Count != index.Count)
            {
                throw new BenchmarkException($"the MessagePack index did not load: {problem}");
            }
        }
        void SaveJson() => JsonIndexFile.Save(jsonFile, IndexRoot, index);
        void LoadJson()
        {
            var loaded = new WorkspaceIndex();
            if (!JsonIndexFile.TryLoad(jsonFile, IndexRoot, loaded) || loaded.Count != index.Count)
            {
                throw new BenchmarkException("the JSON index did not load");
            }
        }

        // Warm-up (JIT, file system caches), untimed.
        SaveJson();
        LoadJson();
        SaveMsgpack();
        LoadMsgpack();
        for (var round = 1; round <= options.Runs; round++)
        {
            var jsonFirst = round % 2 == 1;
            if (jsonFirst)
            {
                MeasureJson();
            }
            MeasureMsgpack();
            if (!jsonFirst)
            {
                MeasureJson();
            }
            Log(
                $"  round {round}: JSON save {Measurements.Values("index.json.save.ms")[^1]:F1} ms, load {Measurements.Values("index.json.load.ms")[^1]:F1} ms; MessagePack save {Measurements.Values("index.msgpack.save.ms")[^1]:F1} ms, load {Measurements.Values("index.msgpack.load.ms")[^1]:F1} ms"
            );
        }
        Measurements.Add("index.entries", index.Count);
        Measurements.Add("index.json.bytes", new FileInfo(jsonFile).Length);
        Measurements.Add("index.msgpack.bytes", new FileInfo(msgpackFile).Length);

        void MeasureJson()
        {
            Measurements.Add("index.json.save.ms", TimeMs(SaveJson));
            Measurements.Add("index.json.load.ms", TimeMs(LoadJson, out var allocated));
            Measurements.Add("index.json.load.allocated", allocated);
        }
        void MeasureMsgpack()
        {
            Measurements.Add("index.msgpack.save.ms", TimeMs(SaveMsgpack));
            Measurements.Add("index.msgpack.load.ms", TimeMs(LoadMsgpack, out var allocated));
            Measurements.Add("index.msgpack.load.allocated", allocated);
        }
    }

    /// <summary>
    /// An index as the agent keeps one: nested source-like paths, sizes of 100 B–90 KB, timestamps with
    /// 100 ns digits around one moment, inode numbers of a busy file system, random SHA-256 hashes.
    /// </summary>
    internal static WorkspaceIndex SyntheticIndex(int entries, ulong seed)
    {
        var random = new Random(unchecked((int)seed));
        var index = new WorkspaceIndex();
        var now = new DateTime(2026, 12, 1, 12, 0, 0, DateTimeKind.Utc).Ticks;
        var hash = new byte[32];
        var directories = Math.Max(10, entries * 150 / 2000);
        for (var i = 0; i < entries; i++)
        {
            var directory = random.Next(directories);
            var path =
                $"{s_folders[directory % s_folders.Length]}/{s_folders[(directory / 7) % s_folders.Length]}{directory}/"
                + $"{s_stems[random.Next(s_stems.Length)]}{i}{s_extensions[random.Next(s_extensions.Length)]}";
            var mtime = now - random.NextInt64(TimeSpan.TicksPerDay * 365);
            random.NextBytes(hash);
            index.Set(
                path,
                new FileEntry(
                    (long)(100 * Math.Exp(random.NextDouble() * Math.Log(90_000 / 100.0))),
                    mtime,
                    Convert.ToHexStringLower(hash),
                    mtime + random.NextInt64(TimeSpan.TicksPerSecond),
                    (ulong)random.NextInt64(1_000_000, 40_000_000),
                    now + random.NextInt64(TimeSpan.TicksPerMinute)
                )
            );
        }
        return index;
    }
}
