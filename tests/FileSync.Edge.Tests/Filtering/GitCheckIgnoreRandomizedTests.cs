using System.Text;
using FileSync.Edge.Filtering;

namespace FileSync.Edge.Tests.Filtering;

/// <summary>
/// Differential tests with generated patterns: each cell is a directory with its own
/// <c>.gitignore</c> (two random patterns, the second sometimes negated) and random paths
/// below it; git's verdicts are the expectations. Seeds are fixed, so failures reproduce.
/// One set of seeds draws ASCII pieces, the other non-ASCII characters and wildcards around
/// them, where git matches bytes.
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

    // Non-ASCII pattern pieces: characters of 2, 3 and 4 UTF-8 bytes, '?' runs that cover
    // them, brackets with non-ASCII members, byte ranges, negations and escapes.
    private static readonly string[] _nonAsciiPatternPieces =
    [
        "é",
        "É",
        "ü",
        "ж",
        "€",
        "😀",
        "\u0131",
        "e\u0301",
        "a",
        "e",
        "*",
        "*",
        "**",
        "?",
        "??",
        "???",
        "/",
        "[é]",
        "[!é]",
        "[^ü]",
        "[éü]",
        "[a-é]",
        "[а-я]",
        "[é-a]",
        "[\\é]",
        "[!\\ü-\\é]",
        "\\é",
        "\\€",
        "[[:alpha:]]",
        "[![:alpha:]]",
        "[[:upper:]]",
        "[[:print:]]",
        "[]é]",
    ];

    // Every generated name is also valid on Windows.
    private static readonly string[] _nonAsciiNameParts =
    [
        "é",
        "É",
        "e",
        "E",
        "a",
        "ü",
        "aé",
        "éa",
        "éé",
        "€",
        "😀",
        "a😀",
        "ж",
        "Ж",
        "ñ",
        "\u0131",
        "I",
        "i",
        "e\u0301",
        "ü€",
    ];

    [GitTheory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(3, false)]
    [InlineData(4, true)]
    [InlineData(5, true)]
    public Task IsIgnored_GeneratedPatterns_AgreeWithGitCheckIgnore(int seed, bool ignoreCase) =>
        AssertAgreementAsync(seed, ignoreCase, _patternPieces, _nameParts);

    [GitTheory]
    [InlineData(11, false)]
    [InlineData(12, false)]
    [InlineData(13, false)]
    [InlineData(14, true)]
    [InlineData(15, true)]
    public Task IsIgnored_GeneratedNonAsciiPatternsAndNames_AgreeWithGitCheckIgnore(
        int seed,
        bool ignoreCase
    ) => AssertAgreementAsync(seed, ignoreCase, _nonAsciiPatternPieces, _nonAsciiNameParts);

    private static async Task AssertAgreementAsync(
        int seed,
        bool ignoreCase,
        string[] patternPieces,
        string[] nameParts
    )
    {
        var random = new Random(seed);
        using var sandbox = await GitSandbox.CreateAsync();
        var paths = new List<string>();
        var cells = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var cell = 0; cell < CellsPerSeed; cell++)
        {
            var cellDirectory = $"c{cell}";
            var gitignore =
                GeneratePattern(random, patternPieces)
                + "\n"
                + (random.Next(3) == 0 ? "!" : "")
                + GeneratePattern(random, patternPieces);
            sandbox.Write(cellDirectory + "/.gitignore", gitignore + "\n");
            cells[cellDirectory] = gitignore;
            for (var i = 0; i < 8; i++)
            {
                paths.Add(cellDirectory + "/" + GeneratePath(random, nameParts));
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

        // Not a degenerate sample: git excludes some paths and keeps others.
        var ignored = gitVerdicts.Values.Count(v => v.Ignored);
        Assert.InRange(
            ignored,
            gitVerdicts.Count / 20,
            gitVerdicts.Count - (gitVerdicts.Count / 20)
        );
        Assert.True(
            disagreements == 0,
            $"seed {seed}, ignorecase={ignoreCase}: {disagreements} of {gitVerdicts.Count} paths disagree with git:\n{report}"
        );
    }

    private static string GeneratePattern(Random random, string[] pieces)
    {
        var text = new StringBuilder();
        var count = random.Next(1, 6);
        for (var i = 0; i < count; i++)
        {
            text.Append(pieces[random.Next(pieces.Length)]);
        }

        var pattern = text.ToString();
        return pattern.StartsWith('#') ? "\\" + pattern : pattern;
    }

    private static string GeneratePath(Random random, string[] nameParts)
    {
        var depth = random.Next(1, 5);
        var parts = new string[depth];
        for (var i = 0; i < depth; i++)
        {
            parts[i] = nameParts[random.Next(nameParts.Length)];
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
