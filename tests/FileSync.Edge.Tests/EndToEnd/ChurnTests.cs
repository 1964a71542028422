using System.Diagnostics;
using System.Text;
using FileSync.Edge.Tests.Infrastructure;

namespace FileSync.Edge.Tests.EndToEnd;

/// <summary>
/// Seeded random churn against a live agent and the reference server: creates, modifies, deletes, file
/// and directory renames, atomic saves, bursts of 500 files and .gitignore edits. After each round
/// settles, the mirror must equal the workspace as git itself filters it (<c>git ls-files --others
/// --exclude-standard</c> is the oracle). FILESYNC_CHURN_OPS scales the size; FILESYNC_CHURN_SEED
/// replays a failure.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ChurnTests(ITestOutputHelper output) : EndToEndTestBase(output)
{
    private const int DefaultOperations = 5000;
    private const int Rounds = 4;

    private static readonly string[] s_directories = ["", "d0", "d1", "d2", "d1/x", "d1/y", "d2/x", "d2/x/z", "e0", "e0/deep"];
    private static readonly string[] s_names = ["a.txt", "b.txt", "c.md", "d.log", "keep.log", "e.cs", "f g.txt", "h.json", "i.txt", "j.tmp"];
    private static readonly string[] s_ignoreLines = ["*.log", "!keep.log", "d2/", "x/", "*.tmp", "/c.md", "e0/deep/*.txt", "# comment", "y", "**/z"];

    /// <summary>About 75 000 file writes at the default size: on a memory file system they cost the agent's time, not the disk's.</summary>
    protected override bool InMemoryDirectories => true;

    [Fact]
    public async Task RandomChurn_AfterEachQuietRound_MirrorEqualsGitFilteredWorkspace()
    {
        var operations = int.TryParse(Environment.GetEnvironmentVariable("FILESYNC_CHURN_OPS"), out var ops) ? ops : DefaultOperations;
        var seed = int.TryParse(Environment.GetEnvironmentVariable("FILESYNC_CHURN_SEED"), out var fixedSeed) ? fixedSeed : Environment.TickCount & 0x7fffffff;
        Output.WriteLine($"churn seed {seed} (replay with FILESYNC_CHURN_SEED={seed}), {operations} operations");
        var workspace = NewWorkspace();
        Git(workspace.Path, "init", "-q");
        // The agent's built-in excludes, given to git as its global excludes file, so the oracle applies them too.
        File.WriteAllLines(Path.Combine(workspace.Path, ".git", "info", "exclude"), FileSync.Edge.Filtering.WorkspaceIgnoreFilter.BuiltInPatterns);
        await StartServerAsync();
        StartAgent(workspace, "--max-files", "100000");
        var random = new Random(seed);
        var stopwatch = Stopwatch.StartNew();
        try
        {
            for (var round = 0; round < Rounds; round++)
            {
                for (var i = 0; i < operations / Rounds; i++)
                {
                    Apply(workspace.Path, random, round * operations / Rounds + i);
                }
                Output.WriteLine($"round {round + 1} applied at {stopwatch.Elapsed.TotalSeconds:F1} s");
                await MirrorAssert.EqualsEventuallyAsync(() => GitFiltered(workspace.Path), MirrorOf(workspace), TimeSpan.FromSeconds(45));
                Output.WriteLine($"round {round + 1}/{Rounds} converged at {stopwatch.Elapsed.TotalSeconds:F1} s with {GitFiltered(workspace.Path).Count} files");
            }
        }
        catch (Exception ex)
        {
            throw new Xunit.Sdk.XunitException($"churn failed with seed {seed} (replay: FILESYNC_CHURN_SEED={seed}): {ex.Message}");
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
                    var temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{step}.swp");
                    WriteFile(temp, Content(random, step));
                    File.Move(temp, full, overwrite: true);
                    break;
                case < 76: // rename a directory
                    var from = Path.Combine(root, s_directories[1 + random.Next(s_directories.Length - 1)]);
                    var to = Path.Combine(root, s_directories[1 + random.Next(s_directories.Length - 1)] + "-" + random.Next(3));
                    if (Directory.Exists(from) && !Directory.Exists(to) && !to.StartsWith(from + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                    {
                        Directory.CreateDirectory(Path.GetDirectoryName(to)!);
                        Directory.Move(from, to);
                    }
                    break;
                case < 81: // delete a directory tree
                    var victim = Path.Combine(root, s_directories[1 + random.Next(s_directories.Length - 1)]);
                    if (Directory.Exists(victim))
                    {
                        Directory.Delete(victim, recursive: true);
                    }
                    break;
                case < 84: // a burst of 500 files, as a checkout or a build would write
                    var burst = Path.Combine(root, s_directories[random.Next(s_directories.Length)], $"burst{random.Next(4)}");
                    for (var i = 0; i < 500; i++)
                    {
                        WriteFile(Path.Combine(burst, $"g{i % 25}", $"n{i}.txt"), $"burst {step}/{i}");
                    }
                    break;
                case < 92: // edit a .gitignore
                    var ignore = Path.Combine(root, s_directories[random.Next(4)], ".gitignore");
                    var lines = Enumerable.Range(0, random.Next(4)).Select(_ => s_ignoreLines[random.Next(s_ignoreLines.Length)]);
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
        var info = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = directory };
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
        Assert.True(process.ExitCode == 0, $"git {string.Join(' ', arguments)} failed: {process.StandardError.ReadToEnd()}");
        return stdout;
    }
}
