using System.Globalization;

namespace FileSync.Edge.Benchmarks;

/// <summary>Sizes of the benchmark. The defaults are the full run of issues #7 and #8; <c>--quick</c> is a smoke-sized run.</summary>
internal sealed class BenchmarkOptions
{
    public const string Usage = """
        FileSync.Edge.Benchmarks --agent <filesync-edge> --server <filesync-server> [options]
          --work <dir>          scratch folder, deleted and recreated (default: /dev/shm/filesync-bench, a tmpfs, when
                                it exists; otherwise $TMPDIR/filesync-bench)
          --out <file>          also write the markdown report to this file
          --runs <n>            rounds; every figure is the median over them (default 3; 0 = none: with
                                --no-wire, only the scale figures)
          --edits <n>           edits per latency run, 300 ms apart (default 200)
          --isolated <n>        isolated edits per run at defaults, 600 ms apart (default 20; 0 = skip)
          --burst <n>           files modified at once in the burst (default 1000)
          --idle-seconds <n>    idle window of each round (default 30)
          --idle-window-seconds <n>
                                the long idle window, once per run: agent and lsyncd side by side, wake-ups per
                                thread, CPU-s per hour, RSS (default 300; 0 = skip)
          --scale-files <n>     files of the scale workspace (default 50000; 0 = skip)
          --scale-runs <n>      runs of the scale measurement (default 3); each also measures scan+hash against a
                                server started with --no-xxh128 (SHA-256) on the same mirror
          --seed <n>            workspace seed (default 7)
          --no-peers            skip rsync and lsyncd
          --no-diagnostics      skip the single-edit breakdown (settle 0, server-only probe)
          --no-wire             skip the wire-bytes comparison of JSON, msgpack, deflate and digest-first resume
          --wire-only           only the wire-bytes comparison (and rsync's one-file figure when rsync is there)
          --keep                keep the scratch folder afterwards (it is deleted by default: on tmpfs it holds RAM)
          --quick               a small run for development: 1 round, 20 edits, burst 100, 5 s idle, 20 s long idle, 5000-file scale

        In-process measures of the agent's own code instead of the run above (no --agent or --server needed;
        both flags together run both; --runs defaults to 5 here):
          --index-only          save and load of the persisted index, JSON (format 2) against MessagePack (format 4)
          --index-entries <n>   entries of that index (default 50000)
          --hash-only           scan+hash of the scale workspace (--scale-files) and hashing alone, SHA-256
                                against XxHash128

        Many edges at once against one server (real agent processes; no other measurement runs):
          --many-edges <list>   edge counts, e.g. 1,10,50,200: per count, that many agents, each with its own
                                workspace, connect at once to one fresh server, sync, then take live edits
          --edge-files <n>      files per edge's workspace (default 200)
          --edge-edits <n>      live edits per count, spread over the edges, 50 ms apart (default 200)
        """;

    public required string AgentExecutable { get; init; }
    public required string ServerExecutable { get; init; }
    public string WorkDirectory { get; init; } = DefaultWorkDirectory();
    public string? OutputFile { get; init; }
    public int Runs { get; init; } = 3;
    public int Edits { get; init; } = 200;
    public int EditSpacingMs { get; init; } = 300;
    public int IsolatedEdits { get; init; } = 20;
    public int IsolatedSpacingMs { get; init; } = 600;
    public int BurstFiles { get; init; } = 1000;
    public int IdleSeconds { get; init; } = 30;
    public int IdleWindowSeconds { get; init; } = 300;
    public int ScaleFiles { get; init; } = 50_000;
    public int ScaleRuns { get; init; } = 3;
    public ulong Seed { get; init; } = 7;
    public bool Peers { get; init; } = true;
    public bool Diagnostics { get; init; } = true;
    public bool Wire { get; init; } = true;
    public bool WireOnly { get; init; }
    public bool Quick { get; init; }
    public bool Keep { get; init; }
    public bool IndexOnly { get; init; }
    public bool HashOnly { get; init; }
    public int IndexEntries { get; init; } = 50_000;

    /// <summary>Edge counts of the many-edges measurement (<see cref="ManyEdges.ManyEdgesBenchmark"/>); empty: not run.</summary>
    public IReadOnlyList<int> ManyEdges { get; init; } = [];
    public int EdgeFiles { get; init; } = 200;
    public int EdgeEdits { get; init; } = 200;

    /// <summary>Only the in-process measures (<see cref="InProcess.InProcessBenchmarks"/>): no agent or server processes.</summary>
    public bool InProcess => IndexOnly || HashOnly;

    public static BenchmarkOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var flags = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (
                arg
                is "--quick"
                    or "--no-peers"
                    or "--no-diagnostics"
                    or "--no-wire"
                    or "--wire-only"
                    or "--keep"
                    or "--index-only"
                    or "--hash-only"
                    or "--help"
                    or "-h"
            )
            {
                flags.Add(arg);
            }
            else if (arg.StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Length)
            {
                values[arg] = args[++i];
            }
            else
            {
                throw new ArgumentException($"unexpected argument '{arg}'");
            }
        }
        if (flags.Contains("--help") || flags.Contains("-h"))
        {
            throw new ArgumentException(Usage);
        }
        var inProcess = flags.Contains("--index-only") || flags.Contains("--hash-only");
        values.TryGetValue("--agent", out var agent);
        values.TryGetValue("--server", out var server);
        if ((agent is null || server is null) && !inProcess)
        {
            throw new ArgumentException("--agent and --server are required");
        }
        var quick = flags.Contains("--quick");
        int Int(string name, int full, int small) =>
            values.TryGetValue(name, out var text) ? int.Parse(text, CultureInfo.InvariantCulture)
            : quick ? small
            : full;

        return new BenchmarkOptions
        {
            AgentExecutable = agent is null ? "" : Path.GetFullPath(agent),
            ServerExecutable = server is null ? "" : Path.GetFullPath(server),
            WorkDirectory = values.TryGetValue("--work", out var work)
                ? Path.GetFullPath(work)
                : DefaultWorkDirectory(),
            OutputFile = values.TryGetValue("--out", out var output)
                ? Path.GetFullPath(output)
                : null,
            Runs = Int("--runs", inProcess ? 5 : 3, 1),
            Edits = Int("--edits", 200, 20),
            IsolatedEdits = Int("--isolated", 20, 5),
            BurstFiles = Int("--burst", 1000, 100),
            IdleSeconds = Int("--idle-seconds", 30, 5),
            IdleWindowSeconds = Int("--idle-window-seconds", 300, 20),
            ScaleFiles = Int("--scale-files", 50_000, 5000),
            ScaleRuns = Int("--scale-runs", 3, 1),
            Seed = values.TryGetValue("--seed", out var seed)
                ? ulong.Parse(seed, CultureInfo.InvariantCulture)
                : 7,
            Peers = !flags.Contains("--no-peers"),
            Diagnostics = !flags.Contains("--no-diagnostics"),
            Wire = !flags.Contains("--no-wire"),
            WireOnly = flags.Contains("--wire-only"),
            Quick = quick,
            Keep = flags.Contains("--keep"),
            IndexOnly = flags.Contains("--index-only"),
            HashOnly = flags.Contains("--hash-only"),
            IndexEntries = Int("--index-entries", 50_000, 50_000),
            ManyEdges = values.TryGetValue("--many-edges", out var counts)
                ?
                [
                    .. counts
                        .Split(',', StringSplitOptions.RemoveEmptyEntries)
                        .Select(c => int.Parse(c, CultureInfo.InvariantCulture)),
                ]
                : [],
            EdgeFiles = Int("--edge-files", 200, 200),
            EdgeEdits = Int("--edge-edits", 200, 200),
        };
    }

    /// <summary>
    /// A tmpfs when there is one: the figures then compare the programs, not a shared virtual disk (on
    /// which, here, creating a file costs 1–2 ms of kernel time in ext4's inode allocator).
    /// </summary>
    private static string DefaultWorkDirectory() =>
        Directory.Exists("/dev/shm")
            ? "/dev/shm/filesync-bench"
            : Path.Join(Path.GetTempPath(), "filesync-bench");
}
