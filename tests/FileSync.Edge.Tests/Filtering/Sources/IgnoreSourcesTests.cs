using FileSync.Edge.Filtering;
using FileSync.Edge.Filtering.Sources;
using FileSync.Edge.Tests.Infrastructure;

namespace FileSync.Edge.Tests.Filtering.Sources;

/// <summary>The sources behind the filter: declared precedence, registration, what stays watched.</summary>
public sealed class IgnoreSourcesTests : IDisposable
{
    private readonly TempDirectory _workspace = new();

    public void Dispose() => _workspace.Dispose();

    [Fact]
    public void Constructor_SourcesListedInReverse_OrderedByDeclaredPrecedence()
    {
        var sources = new IgnoreSources([
            new AishIgnoreFileSource(),
            new GitIgnoreFileSource(),
            new GitInfoExcludeSource(),
            new BuiltInIgnoreSource(),
        ]);

        Assert.Equal(
            [
                typeof(BuiltInIgnoreSource),
                typeof(GitInfoExcludeSource),
                typeof(GitIgnoreFileSource),
                typeof(AishIgnoreFileSource),
            ],
            sources.LowestFirst.Select(s => s.GetType())
        );
    }

    [Fact]
    public void IsIgnored_SourcesListedInReverse_SameVerdictsAsDefault()
    {
        _workspace.Write(".git/info/exclude", "*.secret\n!node_modules/\n");
        _workspace.Write(".gitignore", "!keep.secret\n*.log\n");
        _workspace.Write(".aishignore", "!keep.log\n");
        _workspace.Write("sub/.gitignore", "!deep.log\n");
        _workspace.Write("sub/.aishignore", "deep.log\n");
        var reversed = new WorkspaceIgnoreFilter(
            _workspace.Path,
            new IgnoreSources([.. IgnoreSources.Default.LowestFirst.Reverse()]),
            ignoreCase: false
        );
        var standard = new WorkspaceIgnoreFilter(_workspace.Path, ignoreCase: false);
        (string Path, bool Expected)[] cases =
        [
            ("a.secret", true),
            ("keep.secret", false),
            ("node_modules/x.js", false),
            ("a.log", true),
            ("keep.log", false),
            ("sub/deep.log", true),
            ("sub/other.log", true),
        ];

        Assert.All(
            cases,
            c =>
            {
                Assert.Equal(c.Expected, standard.IsIgnored(c.Path, isDirectory: false));
                Assert.Equal(c.Expected, reversed.IsIgnored(c.Path, isDirectory: false));
            }
        );
    }

    [Fact]
    public void Constructor_TwoSourcesWithOnePrecedence_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            new IgnoreSources([new GitIgnoreFileSource(), new TestIgnoreFileSource(300)])
        );

        Assert.Contains("precedence 300", error.Message);
    }

    [Fact]
    public void IsIgnored_AddedFileSource_AppliesPerDirectoryAtItsPrecedence()
    {
        _workspace.Write(".gitignore", "*.gen\n");
        _workspace.Write("sub/.testignore", "!keep.gen\nlocal/\n");
        var filter = new WorkspaceIgnoreFilter(
            _workspace.Path,
            new IgnoreSources([
                .. IgnoreSources.Default.LowestFirst,
                new TestIgnoreFileSource(500),
            ]),
            ignoreCase: false
        );

        Assert.True(filter.IsIgnored("sub/a.gen", isDirectory: false));
        Assert.False(filter.IsIgnored("sub/keep.gen", isDirectory: false));
        Assert.True(filter.IsIgnored("sub/local/x.txt", isDirectory: false));
        Assert.False(filter.IsIgnored("local/x.txt", isDirectory: false));
        Assert.True(filter.ChangesRules("sub/.testignore"));
        Assert.False(new WorkspaceIgnoreFilter(_workspace.Path).ChangesRules("sub/.testignore"));
    }

    [Theory]
    [InlineData(".git", false)]
    [InlineData(".git/info", false)]
    [InlineData(".git/objects", true)]
    [InlineData(".git/refs/heads", true)]
    [InlineData(".git/info/sub", true)]
    [InlineData("vendor/.git", true)]
    [InlineData("vendor/.git/info", true)]
    [InlineData("node_modules", true)]
    [InlineData("src", false)]
    public void IsUnwatchedDirectory_Directory_WatchesOnlyTheWayToGitInfoExclude(
        string directory,
        bool expected
    ) =>
        Assert.Equal(
            expected,
            new WorkspaceIgnoreFilter(_workspace.Path).IsUnwatchedDirectory(directory)
        );

    /// <summary>What a newcomer writes to add an ignore file: one class.</summary>
    private sealed class TestIgnoreFileSource(int precedence)
        : DirectoryIgnoreFileSource(".testignore", precedence);
}
