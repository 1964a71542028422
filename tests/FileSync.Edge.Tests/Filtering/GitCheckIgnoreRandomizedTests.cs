using System.Text;
using FileSync.Edge.Filtering;

namespace FileSync.Edge.Tests.Filtering;

/// <summary>
/// Differential tests with generated patterns: each cell is a directory with its own
/// <c>.gitignore</c> (two random patterns, the second sometimes negated) and random paths
/// below it; git's verdicts are the expectations. Seeds are fixed, so failures reproduce.
/// </summary>
[Trait("Category", "Integration")]
public sealed class GitCheckIgnoreRandomizedTests
{
    private const int CellsPerSeed = 300;

    // Pattern pieces; every generated name is also valid on Windows.
    private static readonly string[] _patternPieces =
    [
        "a",
        "b",
        "ab",
        "A",
        ".",
        "-",
        "*",
        "*",
        "**",
        "***",
        "?",
        "/",
        "/",
        "[ab]",
        "[!a]",
        "[^b]",
        "[a-b]",
        "[A-B]",
        "[B-a]",
        "[]a]",
        "[[:alpha:]]",
        "[[:upper:]]",
        "\\a",
        "\\*",
        "\\/",
        "[",
        "!",
        " ",
        "\\ ",
    ];

    private static readonly string[] _nameParts =
    [
        "a",
        "b",
        "ab",
        "ba",
        "aa",
        "A",
        "Ab",
        "B",
        ".a",
        "a.b",
        "-",
        "!a",
        "[a]",
        "a]",
        "_",
    ];

    [GitTheory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(3, false)]
    [InlineData(4, true)]
    [InlineData(5, true)]
    public async Task IsIgnored_GeneratedPatterns_AgreeWithGitCheckIgnore(int seed, bool ignoreCase)
    {
        var random = new Random(seed);
        using var sandbox = await GitSandbox.CreateAsync();
        var paths = new List<string>();
        var cells = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var cell = 0; cell < CellsPerSeed; cell++)
        {
            var cellDirectory = $"c{cell}";
            var gitignore =
                GeneratePattern(random)
                + "\n"
                + (random.Next(3) == 0 ? "!" : "")
                + GeneratePattern(random);
            sandbox.Write(cellDirectory + "/.gitignore", gitignore + "\n");
            cells[cellDirectory] = gitignore;
            for (var i = 0; i < 8; i++)
            {
                paths.Add(cellDirectory + "/" + GeneratePath(random));
            }
        }

        var directories = MaterialiseWithoutConflicts(sandbox, paths);
        var gitVerdicts = await sandbox.QueryAsync(paths, ignoreCase);
        var filter = new WorkspaceIgnoreFilter(sandbox.Root, ignoreCase);

        var report = new StringBuilder();
        var disagreements = 0;
        foreach (var git in gitVerdicts.Values)
        {
            var ours = filter.IsIgnored(git.Path, directories.Contains(git.Path));
            if (ours != git.Ignored)
            {
                disagreements++;
                var cell = git.Path.Split('/')[0];
                report.AppendLine(
                    $"{git.Path}{(directories.Contains(git.Path) ? "/" : "")} | git={git.Ignored} ours={ours} | "
                        + $"{cell}/.gitignore lines: {string.Join(", ", cells[cell].Split('\n').Select(l => $"'{l}'"))} | "
                        + git.Reason
                );
            }
        }

        Assert.True(
            disagreements == 0,
            $"seed {seed}, ignorecase={ignoreCase}: {disagreements} of {gitVerdicts.Count} paths disagree with git:\n{report}"
        );
    }

    private static string GeneratePattern(Random random)
    {
        var text = new StringBuilder();
        var count = random.Next(1, 6);
        for (var i = 0; i < count; i++)
        {
            text.Append(_patternPieces[random.Next(_patternPieces.Length)]);
        }

        var pattern = text.ToString();
        return pattern.StartsWith('#') ? "\\" + pattern : pattern;
    }

    private static string GeneratePath(Random random)
    {
        var depth = random.Next(1, 5);
        var parts = new string[depth];
        for (var i = 0; i < depth; i++)
        {
            parts[i] = _nameParts[random.Next(_nameParts.Length)];
        }

        return string.Join('/', parts);
    }

    /// <summary>
    /// Creates the paths; one that is also an ancestor of another path becomes a directory.
    /// Returns every directory among the paths and their ancestors.
    /// </summary>
    private static HashSet<string> MaterialiseWithoutConflicts(
        GitSandbox sandbox,
        List<string> paths
    )
    {
        var directories = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            for (var slash = path.IndexOf('/'); slash > 0; slash = path.IndexOf('/', slash + 1))
            {
                directories.Add(path[..slash]);
            }
        }

        foreach (var path in paths)
        {
            sandbox.Create(directories.Contains(path) ? path + "/" : path);
        }

        return directories;
    }
}
