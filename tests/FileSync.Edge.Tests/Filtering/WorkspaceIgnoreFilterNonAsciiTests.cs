using FileSync.Edge.Filtering;
using FileSync.Edge.Tests.Infrastructure;

namespace FileSync.Edge.Tests.Filtering;

/// <summary>
/// Byte-wise matching of non-ASCII names, without git (the same cases, and many more, are
/// judged by git itself in <see cref="GitCheckIgnoreAgreementTests"/>).
/// </summary>
public sealed class WorkspaceIgnoreFilterNonAsciiTests : IDisposable
{
    private readonly TempDirectory _workspace = new();

    public void Dispose() => _workspace.Dispose();

    [Fact]
    public void IsIgnored_WildcardsAndNonAsciiNames_MatchUtf8BytesLikeGit()
    {
        // git matches bytes: "?" is one byte, and é is two in UTF-8 (C3 A9), 😀 four.
        // (GitCheckIgnoreAgreementTests checks the same against git itself.)
        _workspace.Write(".gitignore", "caf?.txt\nna??ve.txt\n[é]x\n[é][é]y\ne????\n[!é]?z\n");
        var filter = CreateFilter();

        Assert.False(filter.IsIgnored("café.txt", isDirectory: false));
        Assert.True(filter.IsIgnored("cafe.txt", isDirectory: false));
        Assert.True(filter.IsIgnored("naïve.txt", isDirectory: false));
        Assert.False(filter.IsIgnored("éx", isDirectory: false));
        Assert.True(filter.IsIgnored("éy", isDirectory: false));
        Assert.True(filter.IsIgnored("e😀", isDirectory: false));
        Assert.False(filter.IsIgnored("eé", isDirectory: false));
        Assert.True(filter.IsIgnored("жz", isDirectory: false));
        Assert.False(filter.IsIgnored("üz", isDirectory: false));
    }

    [Fact]
    public void IsIgnored_IgnoreCase_FoldsAsciiLettersOnlyLikeGit()
    {
        _workspace.Write(".gitignore", "CAFÉ\n\u0131.txt\nk.kel\n");
        var filter = new WorkspaceIgnoreFilter(_workspace.Path, ignoreCase: true);

        Assert.True(filter.IsIgnored("cafÉ", isDirectory: false));
        Assert.False(filter.IsIgnored("café", isDirectory: false));
        Assert.False(filter.IsIgnored("I.txt", isDirectory: false));
        Assert.True(filter.IsIgnored("K.kel", isDirectory: false));
        Assert.False(filter.IsIgnored("\u212A.kel", isDirectory: false));
    }

    [Fact]
    public void IsIgnored_NonAsciiDirectoryWithItsOwnGitignore_AnchorsByBytes()
    {
        _workspace.Write("répertoire/日本/.gitignore", "/x?y\n/?\n");
        var filter = CreateFilter();

        Assert.True(filter.IsIgnored("répertoire/日本/xay", isDirectory: false));
        Assert.False(filter.IsIgnored("répertoire/日本/xéy", isDirectory: false));
        Assert.True(filter.IsIgnored("répertoire/日本/a", isDirectory: false));
        Assert.False(filter.IsIgnored("répertoire/日本/é", isDirectory: false));
        Assert.False(filter.IsIgnored("répertoire/xay", isDirectory: false));
    }

    private WorkspaceIgnoreFilter CreateFilter() => new(_workspace.Path, ignoreCase: false);
}
