using System.Diagnostics;
using System.Text;
using FileSync.Edge.Tests.Infrastructure;

namespace FileSync.Edge.Tests.EndToEnd;

/// <summary>
/// Seeded random churn against a live agent and the reference server: creates, modifies, deletes, file
/// and directory renames (up to the root), atomic saves, bursts of files into new folders (some removed
/// while still unsynced), .gitignore edits that ignore and un-ignore whole trees already on the server,
/// and, mid-churn, dropped connections (a TCP fault proxy) and a server restart. After each round
/// settles, the mirror must equal the workspace as git itself filters it (<c>git ls-files --others
/// --exclude-standard</c> is the oracle). Runs on a memory file system and on the real disk.
/// FILESYNC_CHURN_OPS scales the size; FILESYNC_CHURN_SEED replays a failure.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ChurnTests(ITestOutputHelper output) : EndToEndTestBase(output)
{
    private const int Rounds = 4;

    private static readonly string[] s_directories =
    [
        "",
        "d0",
        "d1",
        "d2",
        "d1/x",
        "d1/y",
        "d2/x",
        "d2/x/z",
        "e0",
        "e0/deep",
    ];
    private static readonly string[] s_names =
    [
        "a.txt",
        "b.txt",
        "c.md",
        "d.log",
        "keep.log",
        "e.cs",
        "f g.txt",
        "h.json",
        "i.txt",
        "j.tmp",
    ];
    private static readonly string[] s_ignoreLines =
    [
        "*.log",
        "!keep.log",
        "d2/",
        "x/",
        "*.tmp",
        "/c.md",
        "e0/deep/*.txt",
        "# comment",
        "y",
        "**/z",
        "d1/",
        "burst*/",
    ];

    private bool _inMemory = true;

    protected override bool InMemoryDirectories => _inMemory;

    /// <summary>About 75 000 file writes at the default size: on a memory file system they cost the agent's time, not the disk's.</summary>
    [Fact]
    public Task RandomChurnWithFaults_OnTmpfs_MirrorEqualsGitFilteredWorkspaceAfterEachRound() =>
        RunAsync(inMemory: true, defaultOperations: 5000);

    /// <summary>The same on the real disk (ext4 under /tmp on the build machines), smaller: a file create costs ~20× more there.</summary>
    [Fact]
    public Task RandomChurnWithFaults_OnDisk_MirrorEqualsGitFilteredWorkspaceAfterEachRound() =>
        RunAsync(inMemory: false, defaultOperations: 2000);

    private async Task RunAsync(bool inMemory, int defaultOperations)
    {
        _inMemory = inMemory;
        var operations = int.TryParse(
            Environment.GetEnvironmentVariable("FILESYNC_CHURN_OPS"),
            out var ops
        )
            ? ops
            : defaultOperations;
        var seed = int.TryParse(
            Environment.GetEnvironmentVariable("FILESYNC_CHURN_SEED"),
            out var fixedSeed
        )
            ? fixedSeed
            : Environment.TickCount & 0x7fffffff;
        Output.WriteLine(
            $"churn seed {seed} (replay with FILESYNC_CHURN_SEED={seed}), {operations} operations, {(inMemory ? "tmpfs" : "disk")}"
        );
        var workspace = NewWorkspace();
        Git(workspace.Path, "init", "-q");
        // The agent's built-in excludes, given to git as its global excludes file, so the oracle applies them too.
        File.WriteAllLines(
            Path.Combine(workspace.Path, ".git", "info", "exclude"),
            FileSync.Edge.Filtering.Sources.BuiltInIgnoreSource.Patterns
        );
        await StartServerAsync();
        await using var proxy = new TcpRelay(Server!.Port);
        // FILESYNC_CHURN_LOG_LEVEL=Debug shows what the agent did when a replay fails.
        var logLevel = Environment.GetEnvironmentVariable("FILESYNC_CHURN_LOG_LEVEL")
            is { Length: > 0 } level
            ? level
            : "Information";
        StartAgentVia(
            proxy.WebSocketUri,
            [workspace.Path],
            "--max-files",
            "100000",
            "--log-level",
            logLevel
        );
        var random = new Random(seed);
        var stopwatch = Stopwatch.StartNew();
        try
        {
            for (var round = 0; round < Rounds; round++)
            {
                var perRound = operations / Rounds;
                for (var i = 0; i < perRound; i++)
                {
                    var step = round * perRound + i;
                    Apply(workspace.Path, random, step);
                    if (i == perRound / 3 && round is 1 or 3)
                    {
                        // A dropped connection mid-churn: the changes go on while the agent reconnects.
                        proxy.CutAll();
                    }
                    if (i == perRound / 2 && round == 2)
                    {
                        // The server restarts (keeping its mirror) while the workspace keeps changing.
                        await RestartServerAsync();
                        proxy.TargetPort = Server!.Port;
                    }
                }
                Output.WriteLine(
                    $"round {round + 1} applied at {stopwatch.Elapsed.TotalSeconds:F1} s"
                );
                await MirrorAssert.EqualsEventuallyAsync(
                    () => GitFiltered(workspace.Path),
                    MirrorOf(workspace),
                    Wait.Long
                );
                Output.WriteLine(
                    $"round {round + 1}/{Rounds} converged at {stopwatch.Elapsed.TotalSeconds:F1} s with {GitFiltered(workspace.Path).Count} files"
                );
            }
        }
        catch (Exception ex)
        {
            throw new Xunit.Sdk.XunitException(
                $"churn failed with seed {seed} (replay: FILESYNC_CHURN_SEED={seed}): {ex.Message}"
            );
        }
    }

    private static void Apply(string root, Random random, int step)
    {
        var roll = random.Next(100);
        var path = RandomFile(random);
        var full = Path.Combine(root, path);
        try
        {
            switch (roll)
            {
                case < 30: // create or modify
                    WriteFile(full, Content(random, step));
                    break;
                case < 45: // delete a file
                    File.Delete(full);
                    break;
                case < 60: // rename a file (possibly over another)
                    if (File.Exists(full))
                    {
                        var target = Path.Combine(root, RandomFile(random));
                        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                        File.Move(full, target, overwrite: true);
                    }
                    break;
                case < 70: // atomic save, as editors do
                    var temp = Path.Combine(
                        Path.GetDirectoryName(full)!,
                        $".{Path.GetFileName(full)}.{step}.swp"
                    );
                    WriteFile(temp, Content(random, step));
                    File.Move(temp, full, overwrite: true);
                    break;
                case < 76: // rename a directory
                    var from = Path.Combine(
                        root,
                        s_directories[1 + random.Next(s_directories.Length - 1)]
                    );
                    var to = Path.Combine(
                        root,
                        s_directories[1 + random.Next(s_directories.Length - 1)]
                            + "-"
                            + random.Next(3)
                    );
                    if (
                        Directory.Exists(from)
                        && !Directory.Exists(to)
                        && !to.StartsWith(
                            from + Path.DirectorySeparatorChar,
                            StringComparison.Ordinal
                        )
                    )
                    {
                        Directory.CreateDirectory(Path.GetDirectoryName(to)!);
                        Directory.Move(from, to);
                    }
                    break;
                case < 81: // delete a directory tree
                    var victim = Path.Combine(
                        root,
                        s_directories[1 + random.Next(s_directories.Length - 1)]
                    );
                    if (Directory.Exists(victim))
                    {
                        Directory.Delete(victim, recursive: true);
                    }
                    break;
                case < 84: // a burst of 50-300 files into new folders, as a checkout or a build would write
                    var burst = Path.Combine(
                        root,
                        s_directories[random.Next(s_directories.Length)],
                        $"burst{random.Next(4)}"
                    );
                    var count = random.Next(50, 301);
                    for (var i = 0; i < count; i++)
                    {
                        WriteFile(
                            Path.Combine(burst, $"g{i % 25}", $"n{i}.txt"),
                            $"burst {step}/{i}"
                        );
                    }
                    if (random.Next(4) == 0)
                    {
                        // Gone again before the agent could send it: its files are still dirty.
                        Directory.Delete(burst, recursive: true);
                    }
                    break;
                case < 86: // rename a directory up to the root, or a root-level one down
                    var nested = Path.Combine(
                        root,
                        s_directories[4 + random.Next(s_directories.Length - 4)]
                    );
                    var up = Path.Combine(root, "up" + random.Next(3));
                    if (random.Next(2) == 0 && Directory.Exists(nested) && !Directory.Exists(up))
                    {
                        Directory.Move(nested, up);
                    }
                    else if (
                        Directory.Exists(up)
                        && !Directory.Exists(Path.Combine(root, "d0", Path.GetFileName(up)))
                    )
                    {
                        Directory.CreateDirectory(Path.Combine(root, "d0"));
                        Directory.Move(up, Path.Combine(root, "d0", Path.GetFileName(up)));
                    }
                    break;
                case < 88: // ignore or un-ignore a whole tree already on the server
                    var rootIgnore = Path.Combine(root, ".gitignore");
                    var current = File.Exists(rootIgnore) ? File.ReadAllText(rootIgnore) : "";
                    WriteFile(
                        rootIgnore,
                        current.Contains("d1/\n", StringComparison.Ordinal)
                            ? current.Replace("d1/\n", "", StringComparison.Ordinal)
                            : current + "d1/\n"
                    );
                    break;
                case < 93: // edit a .gitignore
                    var ignore = Path.Combine(root, s_directories[random.Next(4)], ".gitignore");
                    var lines = Enumerable
                        .Range(0, random.Next(4))
                        .Select(_ => s_ignoreLines[random.Next(s_ignoreLines.Length)]);
                    WriteFile(ignore, string.Join('\n', lines) + "\n");
                    break;
                default: // modify in place, growing or shrinking
                    if (File.Exists(full))
                    {
                        File.WriteAllText(full, Content(random, step));
                    }
                    break;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A path that became a directory (or the reverse) by an earlier step: the step is a no-op.
        }
    }

    private static string RandomFile(Random random)
    {
        var directory = s_directories[random.Next(s_directories.Length)];
        var name = s_names[random.Next(s_names.Length)];
        return directory.Length == 0 ? name : $"{directory}/{name}";
    }

    private static string Content(Random random, int step)
    {
        var text = new StringBuilder($"step {step}\n");
        var lines = random.Next(0, 60);
        for (var i = 0; i < lines; i++)
        {
            text.Append("line ").Append(random.Next()).Append('\n');
        }
        return text.ToString();
    }

    private static void WriteFile(string full, string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
    }

    /// <summary>The oracle: what git considers not ignored (untracked, with .gitignore files at every depth).</summary>
    private static Dictionary<string, byte[]> GitFiltered(string root)
    {
        var listed = Git(root, "ls-files", "--others", "--exclude-standard", "-z");
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var relative in listed.Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            try
            {
                files[relative] = File.ReadAllBytes(Path.Combine(root, relative));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Gone between listing and reading: the next poll sees the settled state.
            }
        }
        return files;
    }

    private static string Git(string directory, params string[] arguments)
    {
        var info = new ProcessStartInfo("git")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = directory,
        };
        info.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("core.quotepath=false");
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(
            process.ExitCode == 0,
            $"git {string.Join(' ', arguments)} failed: {process.StandardError.ReadToEnd()}"
        );
        return stdout;
    }
}
