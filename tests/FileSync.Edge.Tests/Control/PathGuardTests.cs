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
    private readonly WorkspaceSync _workspace;

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
        _workspace = new WorkspaceSync(
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

    [UnixTheory(
        "creating symbolic links needs extra privileges on Windows; the check itself is OS-neutral"
    )]
    [InlineData("link-file")]
    [InlineData("link-dir/canary.txt")]
    [InlineData("sub/relative-link")]
    [InlineData("inside-link")]
    [InlineData("dangling")]
    public void Resolve_ThroughSymbolicLink_Refused(string relative)
    {
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
            "/" + new string('a', PathShape.MaxPathLength),
        };

    [Theory]
    [MemberData(nameof(HostileShapes))]
    public void CheckShape_RelativeDeviceUncOrInvalid_Refused(string? path)
    {
        Assert.NotNull(PathShape.Check(path));
        Assert.False(Resolve(path).IsAllowed);
        Assert.False(WorkspaceRoot.TryForServer(path, null, out _, out var rejection));
        Assert.NotEmpty(rejection.Message);
    }

    [Fact]
    public void CheckShape_NulInsideWorkspacePath_RefusedBeforeTheDisk()
    {
        var resolution = Resolve(Path.Combine(_root, "a.txt") + "\0.png");

        Assert.False(resolution.IsAllowed);
        Assert.Contains("NUL", resolution.Error);
    }
}
