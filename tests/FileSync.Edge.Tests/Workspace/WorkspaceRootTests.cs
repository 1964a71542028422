using FileSync.Edge.Control;
using FileSync.Edge.Tests.Infrastructure;
using FileSync.Edge.Workspace;
using FileSync.Protocol;

namespace FileSync.Edge.Tests.Workspace;

/// <summary>
/// Root identity and the root rules over a real tree: a project folder, a sibling whose name starts
/// with the project's, links to both, and a file where a folder is expected.
/// </summary>
public sealed class WorkspaceRootTests : IDisposable
{
    private static readonly string s_home = Environment.GetFolderPath(
        Environment.SpecialFolder.UserProfile
    );

    private readonly TempDirectory _scratch = new();
    private readonly string _root;

    public WorkspaceRootTests()
    {
        _root = Path.Combine(_scratch.Path, "proj");
        _scratch.Write("proj/a.txt", "a");
        _scratch.Write("proj/sub/b.txt", "b");
        _scratch.Write("proj-evil/x.txt", "a sibling whose name starts with the root's");
    }

    public void Dispose() => _scratch.Dispose();

    private static WorkspaceRootRejection RejectedForServer(
        string path,
        IReadOnlyList<string>? allowedRoots = null
    )
    {
        Assert.False(
            WorkspaceRoot.TryForServer(path, allowedRoots, out var root, out var rejection)
        );
        Assert.Null(root);
        Assert.False(string.IsNullOrWhiteSpace(rejection.Message));
        Assert.DoesNotContain('\n', rejection.Message);
        return rejection;
    }

    [Theory]
    [InlineData("/")]
    [InlineData("//")]
    [InlineData("/sub/..")]
    [InlineData("/sub/../")]
    [InlineData("/./")]
    [InlineData("/sub/..//")]
    public void Equals_TrailingSeparatorsAndDotSegments_SameRoot(string suffix)
    {
        var root = WorkspaceRoot.From(_root);
        var spelled = WorkspaceRoot.From(_root + suffix);

        Assert.Equal(_root, spelled.Path);
        Assert.Equal(root, spelled);
        Assert.Equal(root.GetHashCode(), spelled.GetHashCode());
        Assert.True(root.IsSameFolder(spelled));
    }

    [Fact]
    public void Equals_CaseDiffers_SameOnlyWhereThePlatformIgnoresCase()
    {
        var lower = WorkspaceRoot.From(_root);
        var upper = WorkspaceRoot.From(Path.Combine(_scratch.Path, "PROJ"));

        Assert.Equal(PathComparer.IgnoreCase, lower.Equals(upper));
    }

    [UnixFact("creating symbolic links needs extra privileges on Windows")]
    public void IsSameFolder_LinkToTheFolder_SameFolderButNotTheSamePath()
    {
        var alias = Path.Combine(_scratch.Path, "alias");
        Directory.CreateSymbolicLink(alias, _root);
        var viaParentLink = Path.Combine(_scratch.Path, "parent-link");
        Directory.CreateSymbolicLink(viaParentLink, _scratch.Path);

        var root = WorkspaceRoot.From(_root);

        Assert.NotEqual(root, WorkspaceRoot.From(alias));
        Assert.True(root.IsSameFolder(WorkspaceRoot.From(alias)));
        Assert.True(WorkspaceRoot.From(alias).IsSameFolder(root));
        Assert.True(root.IsSameFolder(WorkspaceRoot.From(Path.Combine(viaParentLink, "proj"))));
        Assert.Equal(_root, WorkspaceRoot.From(alias).ResolveRealPath());
    }

    [Fact]
    public void IsSameFolder_SiblingWithTheSamePrefix_NotTheSameAndNotInside()
    {
        var root = WorkspaceRoot.From(_root);
        var sibling = WorkspaceRoot.From(Path.Combine(_scratch.Path, "proj-evil"));

        Assert.False(root.IsSameFolder(sibling));
        Assert.False(root.Contains(sibling));
        Assert.False(root.Overlaps(sibling));
    }

    [Fact]
    public void Overlaps_FolderInsideOrAround_TrueBothWays()
    {
        var root = WorkspaceRoot.From(_root);
        var inside = WorkspaceRoot.From(Path.Combine(_root, "sub"));

        Assert.True(root.Contains(inside));
        Assert.False(inside.Contains(root));
        Assert.True(root.Overlaps(inside));
        Assert.True(inside.Overlaps(root));
        Assert.False(root.Contains(root));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("a\0b")]
    public void TryFrom_NotAPath_Null(string? path)
    {
        Assert.Null(WorkspaceRoot.TryFrom(path));
    }

    [Fact]
    public void TryValidate_ExistingFolder_NormalisedAsGiven()
    {
        Assert.True(WorkspaceRoot.TryValidate(_root + "/sub/..//", out var root, out _));
        Assert.Equal(_root, root.Path);
        Assert.Equal("proj", root.Name);
    }

    public static TheoryData<string, WorkspaceRootProblem> RefusedEverywhere =>
        new()
        {
            { "", WorkspaceRootProblem.InvalidPath },
            { "   ", WorkspaceRootProblem.InvalidPath },
            { "/", WorkspaceRootProblem.FilesystemRoot },
            { "HOME", WorkspaceRootProblem.HomeOrTempItself },
            { "HOME/", WorkspaceRootProblem.HomeOrTempItself },
            { "TEMP", WorkspaceRootProblem.HomeOrTempItself },
            { "MISSING", WorkspaceRootProblem.NotFound },
            { "FILE", WorkspaceRootProblem.NotADirectory },
        };

    private string Expand(string path) =>
        path switch
        {
            "HOME" => s_home,
            "HOME/" => s_home + "/",
            "TEMP" => Path.Combine(_scratch.Path, ".."),
            "MISSING" => Path.Combine(_scratch.Path, "missing"),
            "FILE" => Path.Combine(_root, "a.txt"),
            _ => path,
        };

    [Theory]
    [MemberData(nameof(RefusedEverywhere))]
    public void TryValidate_ForbiddenMissingOrFile_RefusedWithItsProblem(
        string path,
        WorkspaceRootProblem problem
    )
    {
        path = Expand(path);

        Assert.False(WorkspaceRoot.TryValidate(path, out _, out var rejection));
        Assert.Equal(problem, rejection.Problem);
        Assert.False(WorkspaceRoot.TryForUser(path, out _, out var userRejection));
        Assert.Equal(problem, userRejection.Problem);
        // The server's rules start from the same ones.
        Assert.Equal(problem, RejectedForServer(path).Problem);
    }

    [Fact]
    public void TryForServer_ForbiddenMissingOrFile_ProtocolCodes()
    {
        Assert.Equal(ErrorCodes.ForbiddenPath, CodeOf("/"));
        Assert.Equal(ErrorCodes.ForbiddenPath, CodeOf(Path.Combine(_scratch.Path, "..")));
        Assert.Equal(ErrorCodes.NotFound, CodeOf(Path.Combine(_scratch.Path, "missing")));
        Assert.Equal(ErrorCodes.ForbiddenPath, CodeOf(Path.Combine(_root, "a.txt")));

        static string CodeOf(string path) =>
            WorkspaceRefusal.Of(path, RejectedForServer(path)).Code;
    }

    [Fact]
    public void TryForServer_FileNamedLikeAnErrorMessage_StillAFileNotMissing()
    {
        // The problem is typed: a name containing "does not exist" does not turn into not_found.
        var file = _scratch.Write("does not exist", "a file");

        var rejection = RejectedForServer(file);

        Assert.Equal(WorkspaceRootProblem.NotADirectory, rejection.Problem);
        Assert.Equal(ErrorCodes.ForbiddenPath, WorkspaceRefusal.Of(file, rejection).Code);
    }

    [UnixFact("creating symbolic links needs extra privileges on Windows")]
    public void TryForServer_LinkToAFolder_ReturnsTheRealFolder()
    {
        var alias = Path.Combine(_scratch.Path, "alias");
        Directory.CreateSymbolicLink(alias, _root);

        Assert.True(WorkspaceRoot.TryForServer(alias, [_scratch.Path], out var root, out _));
        Assert.Equal(_root, root.Path);
    }

    [UnixFact("creating symbolic links needs extra privileges on Windows")]
    public void TryForServer_LinkToFilesystemRootOrHome_Refused()
    {
        var toRoot = Path.Combine(_scratch.Path, "to-root");
        Directory.CreateSymbolicLink(toRoot, "/");
        var toHome = Path.Combine(_scratch.Path, "to-home");
        Directory.CreateSymbolicLink(toHome, s_home);

        var root = RejectedForServer(toRoot);
        Assert.Equal(WorkspaceRootProblem.FilesystemRoot, root.Problem);
        Assert.Contains("is a link", root.Message);
        Assert.Contains("filesystem root", root.Message);
        var home = RejectedForServer(toHome);
        Assert.Equal(WorkspaceRootProblem.HomeOrTempItself, home.Problem);
        Assert.Contains("home directory", home.Message);
    }

    [Fact]
    public void TryForUser_LinkToHomeRefused_LinkToAProjectKeptAsGiven()
    {
        var toHome = Path.Combine(_scratch.Path, "to-home");
        Directory.CreateSymbolicLink(toHome, s_home);
        var toProject = Path.Combine(_scratch.Path, "project-link");
        Directory.CreateSymbolicLink(toProject, _root);

        Assert.False(WorkspaceRoot.TryForUser(toHome, out _, out var rejection));
        Assert.Equal(WorkspaceRootProblem.HomeOrTempItself, rejection.Problem);
        Assert.Contains("is a link", rejection.Message);
        Assert.Contains("home directory", rejection.Message);
        Assert.True(WorkspaceRoot.TryForUser(toProject, out var root, out _));
        Assert.Equal(toProject, root.Path);
    }

    [LinuxTheory("Linux system folders")]
    [ExistingFolderData("/dev")]
    [ExistingFolderData("/dev/shm")]
    [ExistingFolderData("/proc/self/root")]
    [ExistingFolderData("/proc/1")]
    [ExistingFolderData("/sys/kernel")]
    [ExistingFolderData("/run")]
    public void TryForServer_SystemFolderOrLinkToOne_Refused(string path)
    {
        var rejection = RejectedForServer(path);

        Assert.Equal(ErrorCodes.ForbiddenPath, WorkspaceRefusal.Of(path, rejection).Code);
    }

    [Fact]
    public void TryForServer_OutsideTheAllowedRoots_Refused()
    {
        var allowed = Directory.CreateDirectory(Path.Combine(_scratch.Path, "allowed")).FullName;

        var rejection = RejectedForServer(_root, [allowed]);

        Assert.Equal(WorkspaceRootProblem.OutsideAllowedRoots, rejection.Problem);
        Assert.True(WorkspaceRoot.TryForServer(_root, [_scratch.Path], out _, out _));
    }

    [UserHomeTheory]
    [InlineData(".ssh")]
    [InlineData(".ssh/keys")]
    [InlineData(".gnupg")]
    [InlineData(".aws/sso")]
    [InlineData(".config/gh")]
    public void CheckForbiddenForServer_CredentialStoreOrInsideOne_Refused(string relative)
    {
        var root = WorkspaceRoot.From(Path.Combine(s_home, relative));

        Assert.Equal(WorkspaceRootProblem.CredentialStore, root.CheckForbiddenForServer()?.Problem);
    }

    [UnixTheory("Unix system folders")]
    [InlineData("/etc")]
    [InlineData("/etc/ssh")]
    [InlineData("/")]
    public void CheckForbiddenForServer_SystemFolderOrHoldingOne_Refused(string path)
    {
        Assert.Equal(
            WorkspaceRootProblem.CredentialStore,
            WorkspaceRoot.From(path).CheckForbiddenForServer()?.Problem
        );
    }

    [Fact]
    public void CheckForbiddenForServer_ProjectFolder_Allowed()
    {
        Assert.Null(WorkspaceRoot.From(_root).CheckForbiddenForServer());
    }

    [UnixFact("creating symbolic links needs extra privileges on Windows")]
    public void CheckForbiddenForServer_LinkIntoACredentialStore_Refused()
    {
        var toEtc = Path.Combine(_scratch.Path, "to-etc");
        Directory.CreateSymbolicLink(toEtc, "/etc");

        Assert.NotNull(WorkspaceRoot.From(toEtc).CheckForbiddenForServer());
        Assert.Equal(
            WorkspaceRootProblem.CredentialStore,
            RejectedForServer(toEtc, [_scratch.Path]).Problem
        );
    }
}
