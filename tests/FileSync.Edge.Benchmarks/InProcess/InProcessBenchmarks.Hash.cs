using System.IO.Hashing;
using System.Security.Cryptography;
using FileSync.Edge.Benchmarks.Generation;
using FileSync.Edge.Benchmarks.Processes;
using FileSync.Edge.Filtering;
using FileSync.Edge.Filtering.Secrets;
using FileSync.Edge.Workspace;

namespace FileSync.Edge.Benchmarks.InProcess;

/// <summary>
/// The content hash: SHA-256 (what the agent uses) against XxHash128 (System.IO.Hashing), on the scale
/// workspace of the full run, through the agent's own scan and read path.
/// </summary>
internal sealed partial class InProcessBenchmarks
{
    private static readonly (
        string Name,
        string Key,
        FileContentReader.HashFunction Hash
    )[] s_hashes = [("SHA-256", "sha256", Sha256Hex), ("XxHash128", "xxh128", XxHash128Hex)];

    /// <summary>The bare hash functions, without the hex the reader makes of them.</summary>
    private static readonly Dictionary<string, Action<byte[]>> s_bareHashes = new()
    {
        ["sha256"] = static content =>
        {
            Span<byte> hash = stackalloc byte[32];
            SHA256.HashData(content, hash);
        },
        ["xxh128"] = static content =>
        {
            Span<byte> hash = stackalloc byte[16];
            XxHash128.Hash(content, hash);
        },
    };

    /// <summary>Exactly what the agent's reader does by default.</summary>
    private static string Sha256Hex(ReadOnlySpan<byte> content) =>
        Convert.ToHexStringLower(SHA256.HashData(content));

    private static string XxHash128Hex(ReadOnlySpan<byte> content)
    {
        Span<byte> hash = stackalloc byte[16];
        XxHash128.Hash(content, hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>
    /// Scan + hash: <see cref="WorkspaceScanner.ScanAll"/> and then <see cref="FileContentReader.Read"/> of
    /// every file on <see cref="Environment.ProcessorCount"/> threads (the agent's default hash
    /// parallelism), the reader's hash being the only difference: stat, open, read, stat again, binary
    /// check, hash, hex. What the agent measures as "scan+hash" (6a of the full run) also includes the
    /// manifest's serialization and send, the same for both hashes. Hashing alone: the same files' bytes,
    /// loaded into memory first, hashed on one thread and on all of them.
    /// </summary>
    private void RunHash(string dir)
    {
        var workspace = WorkspaceGenerator.Generate(
            Path.Join(dir, "big"),
            WorkspaceSpec.Scale(options.ScaleFiles, options.Seed + 1)
        );
        Measurements.Add("hash.files", workspace.Files.Count);
        Measurements.Add("hash.mb", workspace.TotalBytes / 1e6);
        Log(
            $"hash: {workspace.Files.Count} files, {workspace.TotalBytes / 1e6:F0} MB, {options.Runs} rounds"
        );

        foreach (var (_, _, hash) in s_hashes)
        {
            ScanAndHash(workspace, hash); // warm-up
        }
        for (var round = 1; round <= options.Runs; round++)
        {
            foreach (var (name, key, hash) in InRoundOrder(round))
            {
                var ms = TimeMs(() => ScanAndHash(workspace, hash));
                Measurements.Add($"hash.{key}.scan.s", ms / 1000);
                Measurements.Add(
                    $"hash.{key}.scan.filesPerSecond",
                    workspace.Files.Count / (ms / 1000)
                );
                Log(
                    $"  round {round}: {name} scan+hash {ms:F0} ms ({workspace.Files.Count / (ms / 1000):F0} files/s)"
                );
            }
        }

        MeasureSecretGuard(workspace);

        var contents = workspace
            .Files.Select(f => File.ReadAllBytes(workspace.FullPath(f.RelativePath)))
            .ToArray();
        var bytes = contents.Sum(c => (long)c.Length);
        foreach (var hash in s_bareHashes.Values)
        {
            HashAll(contents, hash, Environment.ProcessorCount); // warm-up
        }
        for (var round = 1; round <= options.Runs; round++)
        {
            foreach (var (name, key, _) in InRoundOrder(round))
            {
                var hash = s_bareHashes[key];
                var one = TimeMs(() => HashAll(contents, hash, 1));
                var all = TimeMs(() => HashAll(contents, hash, Environment.ProcessorCount));
                Measurements.Add($"hash.{key}.pure1.mbPerSecond", bytes / 1e6 / (one / 1000));
                Measurements.Add($"hash.{key}.pureAll.mbPerSecond", bytes / 1e6 / (all / 1000));
                Log(
                    $"  round {round}: {name} hashing only {bytes / 1e6 / (one / 1000):F0} MB/s on 1 thread, {bytes / 1e6 / (all / 1000):F0} MB/s on {Environment.ProcessorCount}"
                );
            }
        }
    }

    private static IEnumerable<(
        string Name,
        string Key,
        FileContentReader.HashFunction Hash
    )> InRoundOrder(int round) => round % 2 == 1 ? s_hashes : s_hashes.Reverse();

    /// <summary>
    /// The secret guard's cost on the agent's read path: the same scan and read of every file with XxHash128,
    /// the guard on and off, alternating which goes first; then the content rules alone over the bytes in memory.
    /// </summary>
    private void MeasureSecretGuard(GeneratedWorkspace workspace)
    {
        var on = new SecretGuard(enabled: true);
        ScanAndHash(workspace, XxHash128Hex, on); // warm-up
        for (var round = 1; round <= options.Runs; round++)
        {
            foreach (
                var guard in round % 2 == 1 ? new[] { SecretGuard.Off, on } : [on, SecretGuard.Off]
            )
            {
                var ms = TimeMs(() => ScanAndHash(workspace, XxHash128Hex, guard));
                var key = guard.Enabled ? "on" : "off";
                Measurements.Add(
                    $"hash.guard.{key}.filesPerSecond",
                    workspace.Files.Count / (ms / 1000)
                );
                Log(
                    $"  round {round}: secret guard {key}: scan+hash {ms:F0} ms ({workspace.Files.Count / (ms / 1000):F0} files/s)"
                );
            }
        }
        var contents = workspace
            .Files.Select(f => File.ReadAllBytes(workspace.FullPath(f.RelativePath)))
            .ToArray();
        var bytes = contents.Sum(c => (long)c.Length);
        for (var round = 1; round <= options.Runs; round++)
        {
            var ms = TimeMs(() =>
            {
                foreach (var content in contents)
                {
                    if (SecretGuard.Scan(content) is { } rule)
                    {
                        throw new BenchmarkException($"the generated workspace holds a {rule.Id}");
                    }
                }
            });
            Measurements.Add("hash.guard.pure1.mbPerSecond", bytes / 1e6 / (ms / 1000));
            Log(
                $"  round {round}: secret guard content rules alone {bytes / 1e6 / (ms / 1000):F0} MB/s on 1 thread"
            );
        }
    }

    private static void ScanAndHash(
        GeneratedWorkspace workspace,
        FileContentReader.HashFunction hash,
        SecretGuard? guard = null
    )
    {
        var scan = new WorkspaceScanner(
            workspace.Root,
            new WorkspaceIgnoreFilter(workspace.Root)
        ).ScanAll();
        var reader = new FileContentReader(
            workspace.Root,
            new SyncOptions().MaxFileBytes,
            secretGuard: guard
        )
        {
            Hash = hash,
        };
        var hashed = 0;
        Parallel.ForEach(
            scan.Files,
            new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
            file =>
            {
                if (
                    reader.Read(file.RelativePath, skipIfMatches: null, keepContent: false).Status
                    == FileReadStatus.Ok
                )
                {
                    Interlocked.Increment(ref hashed);
                }
            }
        );
        if (hashed != workspace.Files.Count)
        {
            throw new BenchmarkException(
                $"scan+hash read {hashed} of {workspace.Files.Count} files"
            );
        }
    }

    private static void HashAll(byte[][] contents, Action<byte[]> hash, int threads) =>
        Parallel.ForEach(contents, new ParallelOptions { MaxDegreeOfParallelism = threads }, hash);
}
