using FileSync.Edge.Control;
using FileSync.Edge.Tests.Infrastructure;
using FileSync.Edge.Workspace;
using FileSync.Protocol;
using Microsoft.Extensions.Logging.Abstractions;

namespace FileSync.Edge.Tests.Control;

/// <summary>
/// Path checks over a real tree: a workspace with ignored files, links pointing out of it and a
/// "canary" folder next to it. The managers are never started: only their root and ignore rules are used.
/// </summary>
public sealed class PathGuardTests : IAsyncLifetime
{
    private readonly TempDirectory _scratch = new();
    private readonly string _root;
    private readonly string _outside;
    private readonly WorkspaceSyncManager _workspace;

    public PathGuardTests()
    {
        _root = Path.Combine(_scratch.Path, "proj");
        _outside = Path.Combine(_scratch.Path, "outside");
        _scratch.Write("proj/a.txt", "a");
        _scratch.Write("proj/sub/b.txt", "b");
        _scratch.Write("proj/.gitignore", ".env\nbuild/\n");
        _scratch.Write("proj/.env", "SECRET=1");
        _scratch.Write("proj/build/out.txt", "ignored directory");
        _scratch.Write("proj/.git/config", "[core]");
        _scratch.Write("proj-evil/x.txt", "a sibling whose name starts with the root's");
        _scratch.Write("outside/canary.txt", "must never be read");
        if (!OperatingSystem.IsWindows())
        {
            File.CreateSymbolicLink(
                Path.Combine(_root, "link-file"),
                Path.Combine(_outside, "canary.txt")
            );
            Directory.CreateSymbolicLink(Path.Combine(_root, "link-dir"), _outside);
            File.CreateSymbolicLink(
                Path.Combine(_root, "sub", "relative-link"),
                "../../outside/canary.txt"
            );
            File.CreateSymbolicLink(
                Path.Combine(_root, "inside-link"),
                Path.Combine(_root, "a.txt")
            );
            File.CreateSymbolicLink(Path.Combine(_root, "dangling"), "/nonexistent/target");
        }
        _workspace = new WorkspaceSyncManager(
            _root,
            new SyncOptions(),
            new RecordingUplink(),
            new FakeWorkspaceWatcherFactory(),
            TimeProvider.System,
            NullLogger.Instance
        );
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _workspace.DisposeAsync();
        _scratch.Dispose();
    }

    private PathGuard.Resolution Resolve(string? path) => PathGuard.Resolve([_workspace], path);

    [Theory]
    [InlineData("a.txt", "a.txt")]
    [InlineData("sub/b.txt", "sub/b.txt")]
    [InlineData("sub/../a.txt", "a.txt")]
    [InlineData("./sub//b.txt", "sub/b.txt")]
    [InlineData(".gitignore", ".gitignore")]
    public void Resolve_FileInsideWorkspace_ReturnsWorkspaceAndRelativePath(
        string relative,
        string expected
    )
    {
        var resolution = Resolve(_root + "/" + relative);

        Assert.True(resolution.IsAllowed, resolution.Error);
        Assert.Same(_workspace, resolution.Workspace);
        Assert.Equal(expected, resolution.RelativePath);
    }

    [Theory]
    [InlineData("../outside/canary.txt", ErrorCodes.ForbiddenPath)]
    [InlineData("sub/../../outside/canary.txt", ErrorCodes.ForbiddenPath)]
    [InlineData("../../../../../../../../etc/passwd", ErrorCodes.ForbiddenPath)]
    [InlineData("../proj-evil/x.txt", ErrorCodes.ForbiddenPath)]
    [InlineData(".env", ErrorCodes.ForbiddenPath)]
    [InlineData("build/out.txt", ErrorCodes.ForbiddenPath)]
    [InlineData(".git/config", ErrorCodes.ForbiddenPath)]
    [InlineData("missing.txt", ErrorCodes.NotFound)]
    [InlineData("missing/deeper/x.txt", ErrorCodes.NotFound)]
    [InlineData("a.txt/below-a-file", ErrorCodes.NotFound)]
    [InlineData("", ErrorCodes.NotFound)]
    public void Resolve_EscapeIgnoredOrMissing_RefusedWithCode(string relative, string code)
    {
        var resolution = Resolve(_root + "/" + relative);

        Assert.False(resolution.IsAllowed);
        Assert.Equal(code, resolution.Code);
        Assert.False(string.IsNullOrWhiteSpace(resolution.Error));
    }

    [Theory]
    [InlineData("link-file")]
    [InlineData("link-dir/canary.txt")]
    [InlineData("sub/relative-link")]
    [InlineData("inside-link")]
    [InlineData("dangling")]
    public void Resolve_ThroughSymbolicLink_Refused(string relative)
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Creating links needs privileges there; the check itself is OS-neutral.
        }

        var resolution = Resolve(_root + "/" + relative);

        Assert.False(resolution.IsAllowed);
        Assert.Equal(ErrorCodes.ForbiddenPath, resolution.Code);
        Assert.Contains("symbolic link", resolution.Error);
    }

    [Fact]
    public void Resolve_AbsolutePathsElsewhere_Refused()
    {
        Assert.Equal(ErrorCodes.ForbiddenPath, Resolve(Path.Combine(_outside, "canary.txt")).Code);
        Assert.Equal(
            ErrorCodes.ForbiddenPath,
            Resolve(Path.Combine(_scratch.Path, "proj-evil", "x.txt")).Code
        );
        Assert.Equal(ErrorCodes.ForbiddenPath, Resolve("/etc/passwd").Code);
        Assert.Equal(
            ErrorCodes.ForbiddenPath,
            PathGuard.Resolve([], Path.Combine(_root, "a.txt")).Code
        );
    }

    public static TheoryData<string?> HostileShapes =>
        new()
        {
            null,
            "",
            "   ",
            "a.txt",
            "proj/a.txt",
            "../etc/passwd",
            "C:\\Windows\\win.ini",
            "C:Windows\\win.ini",
            "CON",
            "NUL",
            "\\\\.\\PhysicalDrive0",
            "\\\\.\\C:\\Windows\\win.ini",
            "\\\\?\\C:\\Windows\\win.ini",
            "\\\\?\\UNC\\server\\share\\x",
            "\\\\server\\share\\x.txt",
            "//server/share/x.txt",
            "\\/server/share",
            "/\\server\\share",
            "/tmp/a\0b",
            "/" + new string('a', PathGuard.MaxPathLength),
        };

    [Theory]
    [MemberData(nameof(HostileShapes))]
    public void CheckShape_RelativeDeviceUncOrInvalid_Refused(string? path)
    {
        Assert.NotNull(PathGuard.CheckShape(path));
        Assert.False(Resolve(path).IsAllowed);
        Assert.Null(PathGuard.ResolveRoot(path, out var error, out _));
        Assert.NotEmpty(error);
    }

    [Fact]
    public void CheckShape_NulInsideWorkspacePath_RefusedBeforeTheDisk()
    {
        var resolution = Resolve(Path.Combine(_root, "a.txt") + "\0.png");

        Assert.False(resolution.IsAllowed);
        Assert.Contains("NUL", resolution.Error);
    }

    [Theory]
    [InlineData(@"C:\ws\a.txt::$DATA", "data streams")]
    [InlineData(@"C:\ws\a.txt:hidden", "data streams")]
    [InlineData(@"C:\ws\.env.", "dot or a space")]
    [InlineData(@"C:\ws\.env ", "dot or a space")]
    [InlineData(@"C:\ws\ENV~1", "short names")]
    [InlineData(@"C:\ws\PROGRA~1\x.txt", "short names")]
    [InlineData(@"C:\ws\con.txt", "device name")]
    [InlineData(@"C:\ws\sub\COM1", "device name")]
    [InlineData(@"C:/ws/aux", "device name")]
    public void CheckWindowsSegments_NamesWindowsWouldOpenDifferently_Refused(
        string path,
        string reason
    )
    {
        Assert.Contains(reason, PathGuard.CheckWindowsSegments(path));
    }

    [Theory]
    [InlineData(@"C:\ws\a.txt")]
    [InlineData(@"C:\ws\my~file.txt")]
    [InlineData(@"C:\ws\sub\..\console.log")]
    [InlineData(@"C:\ws\.gitignore")]
    public void CheckWindowsSegments_OrdinaryNames_Accepted(string path)
    {
        Assert.Null(PathGuard.CheckWindowsSegments(path));
    }

    [Theory]
    [InlineData("CON", true)]
    [InlineData("con.txt", true)]
    [InlineData("Nul", true)]
    [InlineData("AUX.tar.gz", true)]
    [InlineData("COM1", true)]
    [InlineData("lpt9.log", true)]
    [InlineData("COM²", true)]
    [InlineData("CONOUT$", true)]
    [InlineData("PRN ", true)]
    [InlineData("CONSOLE", false)]
    [InlineData("COM10", false)]
    [InlineData("aux1", false)]
    [InlineData("a.con", false)]
    [InlineData("LPT", false)]
    public void IsWindowsReservedName_DeviceNames_Recognised(string segment, bool reserved)
    {
        Assert.Equal(reserved, PathGuard.IsWindowsReservedName(segment));
    }

    [Fact]
    public void ResolveRoot_ExistingFolder_ReturnsItNormalised()
    {
        Assert.Equal(_root, PathGuard.ResolveRoot(_root + "/sub/..//", out var error, out _));
        Assert.Empty(error);
    }

    [Fact]
    public void ResolveRoot_LinkToAFolder_ReturnsTheRealFolder()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        var alias = Path.Combine(_scratch.Path, "alias");
        Directory.CreateSymbolicLink(alias, _root);

        Assert.Equal(_root, PathGuard.ResolveRoot(alias, out _, out _));
    }

    [Fact]
    public void ResolveRoot_LinkToFilesystemRootOrHome_Refused()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        var toRoot = Path.Combine(_scratch.Path, "to-root");
        Directory.CreateSymbolicLink(toRoot, "/");
        var toHome = Path.Combine(_scratch.Path, "to-home");
        Directory.CreateSymbolicLink(
            toHome,
            Environment.GetFolderPath(Environment.SpecialFolder.UserProfile)
        );

        Assert.Null(PathGuard.ResolveRoot(toRoot, out var rootError, out var rootCode));
        Assert.Equal(ErrorCodes.ForbiddenPath, rootCode);
        Assert.Contains("filesystem root", rootError);
        Assert.Null(PathGuard.ResolveRoot(toHome, out var homeError, out _));
        Assert.Contains("home directory", homeError);
    }

    [Fact]
    public void ValidateLocalRoot_LinkToHomeRefused_LinkToAProjectKeptAsGiven()
    {
        var toHome = Path.Combine(_scratch.Path, "to-home");
        Directory.CreateSymbolicLink(
            toHome,
            Environment.GetFolderPath(Environment.SpecialFolder.UserProfile)
        );
        var project = Directory
            .CreateDirectory(Path.Combine(_scratch.Path, "real-project"))
            .FullName;
        var toProject = Path.Combine(_scratch.Path, "project-link");
        Directory.CreateSymbolicLink(toProject, project);

        Assert.Null(PathGuard.ValidateLocalRoot(toHome, out var homeError));
        Assert.Contains("is a link", homeError);
        Assert.Contains("home directory", homeError);
        Assert.Equal(toProject, PathGuard.ValidateLocalRoot(toProject, out _));
    }

    [Fact]
    public void ResolveRoot_ForbiddenMissingOrFile_RefusedWithCode()
    {
        Assert.Null(PathGuard.ResolveRoot("/", out _, out var code));
        Assert.Equal(ErrorCodes.ForbiddenPath, code);
        Assert.Null(PathGuard.ResolveRoot(Path.Combine(_scratch.Path, ".."), out _, out code));
        Assert.Equal(ErrorCodes.ForbiddenPath, code);
        Assert.Null(PathGuard.ResolveRoot(Path.Combine(_scratch.Path, "missing"), out _, out code));
        Assert.Equal(ErrorCodes.NotFound, code);
        Assert.Null(PathGuard.ResolveRoot(Path.Combine(_root, "a.txt"), out _, out code));
        Assert.Equal(ErrorCodes.ForbiddenPath, code);
    }

    [Theory]
    [InlineData("/dev")]
    [InlineData("/dev/shm")]
    [InlineData("/proc/self/root")]
    [InlineData("/proc/1")]
    [InlineData("/sys/kernel")]
    [InlineData("/run")]
    public void ResolveRoot_SystemFolderOrLinkToOne_Refused(string path)
    {
        if (!OperatingSystem.IsLinux() || !Directory.Exists(path))
        {
            return;
        }

        Assert.Null(PathGuard.ResolveRoot(path, out var error, out var code));
        Assert.Equal(ErrorCodes.ForbiddenPath, code);
        Assert.NotEmpty(error);
    }

    [Fact]
    public void ResolveLinks_RelativeTargetsWithDotDotAndChains_ResolvedLikeTheKernel()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        // x/hop -> ../proj/sub (relative, with ..); y -> x/hop (a chain); a missing tail is kept.
        Directory.CreateDirectory(Path.Combine(_scratch.Path, "x"));
        Directory.CreateSymbolicLink(Path.Combine(_scratch.Path, "x", "hop"), "../proj/sub");
        Directory.CreateSymbolicLink(
            Path.Combine(_scratch.Path, "y"),
            Path.Combine(_scratch.Path, "x", "hop")
        );

        Assert.Equal(
            Path.Combine(_root, "sub", "b.txt"),
            PathGuard.ResolveLinks(Path.Combine(_scratch.Path, "y", "b.txt"), out _)
        );
        Assert.Equal(
            Path.Combine(_root, "a.txt"),
            PathGuard.ResolveLinks(Path.Combine(_scratch.Path, "y", "..", "a.txt"), out _)
        );
        Assert.Equal(
            Path.Combine(_root, "sub", "not-yet"),
            PathGuard.ResolveLinks(Path.Combine(_scratch.Path, "y", "not-yet"), out _)
        );
    }

    [Fact]
    public void ResolveLinks_LinkLoop_ReturnsNullWithReason()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        File.CreateSymbolicLink(
            Path.Combine(_scratch.Path, "loop-a"),
            Path.Combine(_scratch.Path, "loop-b")
        );
        File.CreateSymbolicLink(
            Path.Combine(_scratch.Path, "loop-b"),
            Path.Combine(_scratch.Path, "loop-a")
        );

        Assert.Null(
            PathGuard.ResolveLinks(Path.Combine(_scratch.Path, "loop-a", "x"), out var error)
        );
        Assert.Contains("too many", error);
    }
}
