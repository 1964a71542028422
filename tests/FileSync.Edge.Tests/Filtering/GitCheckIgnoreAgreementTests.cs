using System.Text;
using FileSync.Edge.Filtering;

namespace FileSync.Edge.Tests.Filtering;

/// <summary>
/// Every expectation here is git's: each scenario is materialised as a real repository and
/// <c>git check-ignore</c> is asked about every path and every ancestor directory.
/// </summary>
[Trait("Category", "Integration")]
public sealed class GitCheckIgnoreAgreementTests
{
    public static TheoryData<string> Scenarios => GitIgnoreScenarios.Names;

    [GitTheory]
    [MemberData(nameof(Scenarios))]
    public async Task IsIgnored_Scenario_AgreesWithGitCheckIgnore(string scenarioName)
    {
        var scenario = GitIgnoreScenarios.Get(scenarioName);
        using var sandbox = await CreateSandboxAsync(scenario);
        var gitVerdicts = await sandbox.QueryAsync(scenario.Paths, scenario.IgnoreCase);
        var directories = DirectoriesOf(scenario.Paths);
        var filter = new WorkspaceIgnoreFilter(sandbox.Root, scenario.IgnoreCase);

        var rows = gitVerdicts
            .Values.Select(git =>
                (Git: git, Ours: filter.IsIgnored(git.Path, directories.Contains(git.Path)))
            )
            .ToList();

        var disagreements = rows.Where(r => r.Git.Ignored != r.Ours).ToList();
        if (disagreements.Count > 0)
        {
            Assert.Fail(Describe(scenario, disagreements, rows.Count));
        }
    }

    [GitTheory]
    [MemberData(nameof(Scenarios))]
    public async Task IsIgnoredEntry_PrunedWalkOfScenario_KeepsExactlyTheFilesGitKeeps(
        string scenarioName
    )
    {
        var scenario = GitIgnoreScenarios.Get(scenarioName);
        using var sandbox = await CreateSandboxAsync(scenario);

        // Everything on disk except git's own directory, including the ignore files themselves.
        var onDisk = Directory
            .EnumerateFiles(sandbox.Root, "*", SearchOption.AllDirectories)
            .Select(f =>
                Path.GetRelativePath(sandbox.Root, f).Replace(Path.DirectorySeparatorChar, '/')
            )
            .Where(p => p != ".git" && !p.StartsWith(".git/", StringComparison.Ordinal))
            .ToList();
        var gitVerdicts = await sandbox.QueryAsync(onDisk, scenario.IgnoreCase);
        var expected = onDisk
            .Where(p => !gitVerdicts[p].Ignored)
            .Order(StringComparer.Ordinal)
            .ToList();

        var filter = new WorkspaceIgnoreFilter(sandbox.Root, scenario.IgnoreCase);
        var kept = new List<string>();
        Walk(filter, sandbox.Root, string.Empty, kept);
        kept.Sort(StringComparer.Ordinal);

        Assert.Equal(expected, kept);
    }

    [GitFact]
    public async Task IsIgnored_IgnoreFilesAreSymlinks_AgreesWithGitWhichDoesNotFollowThem()
    {
        using var sandbox = await GitSandbox.CreateAsync();
        sandbox.Write("rules.txt", "*.log\n");
        sandbox.Create("a.log");
        sandbox.Create("sub/b.log");
        File.CreateSymbolicLink(Path.Combine(sandbox.Root, ".gitignore"), "rules.txt");
        File.CreateSymbolicLink(Path.Combine(sandbox.Root, "sub", ".aishignore"), "../rules.txt");
        File.CreateSymbolicLink(Path.Combine(sandbox.Root, "sub", ".gitignore"), "../rules.txt");
        var gitVerdicts = await sandbox.QueryAsync(["a.log", "sub/b.log"], ignoreCase: false);
        var filter = new WorkspaceIgnoreFilter(sandbox.Root, ignoreCase: false);

        Assert.False(gitVerdicts["a.log"].Ignored);
        Assert.Equal(gitVerdicts["a.log"].Ignored, filter.IsIgnored("a.log", isDirectory: false));
        Assert.Equal(
            gitVerdicts["sub/b.log"].Ignored,
            filter.IsIgnored("sub/b.log", isDirectory: false)
        );
    }

    [GitFact]
    public async Task IsIgnored_InfoExcludeIsSymlink_AgreesWithGitWhichFollowsIt()
    {
        using var sandbox = await GitSandbox.CreateAsync();
        sandbox.Write("rules.txt", "*.log\n");
        sandbox.Create("a.log");
        var exclude = Path.Combine(sandbox.Root, ".git", "info", "exclude");
        File.Delete(exclude);
        File.CreateSymbolicLink(exclude, Path.Combine(sandbox.Root, "rules.txt"));
        var gitVerdicts = await sandbox.QueryAsync(["a.log"], ignoreCase: false);
        var filter = new WorkspaceIgnoreFilter(sandbox.Root, ignoreCase: false);

        Assert.True(gitVerdicts["a.log"].Ignored);
        Assert.True(filter.IsIgnored("a.log", isDirectory: false));
    }

    [GitFact]
    public async Task IsIgnored_IgnoreFileBytesThatAreNotUtf8OrAreNul_AgreesWithGitWhichMatchesRawBytes()
    {
        using var sandbox = await GitSandbox.CreateAsync();

        // Latin-1 maps U+0000-U+00FF to single bytes, so this writes raw bytes: é's first byte
        // (C3) then a star; "?" then é's second byte (A9) alone; a NUL, where git ends the line;
        // the two bytes of é in separate brackets; Latin-1 "été", which no UTF-8 name has; a
        // UTF-8 BOM that does not start the file, so it is part of its pattern.
        sandbox.WriteBytes(
            ".gitignore",
            Encoding.Latin1.GetBytes(
                "w\u00C3*\nv?\u00A9\nz\0q\n[\u00C3][\u00A9]b\n\u00E9t\u00E9\n\u00EF\u00BB\u00BFbom\n"
            )
        );
        string[] paths =
        [
            "wé",
            "wa",
            "w",
            "vé",
            "vx",
            "z",
            "zq",
            "éb",
            "ab",
            "été",
            "\uFEFFbom",
            "bom",
        ];
        foreach (var path in paths)
        {
            sandbox.Create(path);
        }

        var gitVerdicts = await sandbox.QueryAsync(paths, ignoreCase: false);
        var filter = new WorkspaceIgnoreFilter(sandbox.Root, ignoreCase: false);

        // git does match the raw bytes, so this test exercises them.
        Assert.True(gitVerdicts["wé"].Ignored);
        Assert.True(gitVerdicts["z"].Ignored);
        var disagreements = paths
            .Where(p => filter.IsIgnored(p, isDirectory: false) != gitVerdicts[p].Ignored)
            .Select(p => $"{p}: git={gitVerdicts[p].Ignored} ({gitVerdicts[p].Reason})")
            .ToList();
        Assert.True(disagreements.Count == 0, string.Join('\n', disagreements));
    }

    private static async Task<GitSandbox> CreateSandboxAsync(GitIgnoreScenarios.Scenario scenario)
    {
        var sandbox = await GitSandbox.CreateAsync();
        foreach (var (path, content) in scenario.IgnoreFiles)
        {
            sandbox.Write(path, content);
        }

        foreach (var path in scenario.Paths)
        {
            sandbox.Create(path);
        }

        return sandbox;
    }

    private static void Walk(
        WorkspaceIgnoreFilter filter,
        string root,
        string relativeDirectory,
        List<string> kept
    )
    {
        var fullDirectory =
            relativeDirectory.Length == 0 ? root : Path.Combine(root, relativeDirectory);
        foreach (var entry in new DirectoryInfo(fullDirectory).EnumerateFileSystemInfos())
        {
            var relative =
                relativeDirectory.Length == 0 ? entry.Name : relativeDirectory + "/" + entry.Name;
            var isDirectory = entry is DirectoryInfo;
            if (filter.IsIgnoredEntry(relative, isDirectory))
            {
                continue;
            }

            if (isDirectory)
            {
                Walk(filter, root, relative, kept);
            }
            else
            {
                kept.Add(relative);
            }
        }
    }

    /// <summary>Paths that are directories: those listed with a trailing '/' and every ancestor.</summary>
    private static HashSet<string> DirectoriesOf(IEnumerable<string> paths)
    {
        var directories = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            if (path.EndsWith('/'))
            {
                directories.Add(path.TrimEnd('/'));
            }

            for (var slash = path.IndexOf('/'); slash > 0; slash = path.IndexOf('/', slash + 1))
            {
                directories.Add(path[..slash]);
            }
        }

        return directories;
    }

    private static string Describe(
        GitIgnoreScenarios.Scenario scenario,
        List<(GitVerdict Git, bool Ours)> disagreements,
        int total
    )
    {
        var text = new StringBuilder();
        text.AppendLine(
            $"Scenario '{scenario.Name}' (ignorecase={scenario.IgnoreCase}): "
                + $"{disagreements.Count} of {total} paths disagree with git check-ignore."
        );
        foreach (var (path, content) in scenario.IgnoreFiles)
        {
            text.AppendLine($"--- {path} ---");
            text.AppendLine(Visible(content));
        }

        text.AppendLine("path | git | ours | git's matching pattern");
        foreach (var (git, ours) in disagreements)
        {
            text.AppendLine(
                $"{Visible(git.Path)} | {Verdict(git.Ignored)} | {Verdict(ours)} | {Visible(git.Reason)}"
            );
        }

        return text.ToString();
    }

    private static string Verdict(bool ignored) => ignored ? "ignored" : "kept";

    private static string Visible(string text) =>
        text.Replace("\t", "\\t")
            .Replace("\r", "\\r")
            .Replace("\uFEFF", "<BOM>")
            .Replace(" \n", "·\n");
}
