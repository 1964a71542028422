using FileSync.Edge.Tests.Infrastructure;
using FileSync.Edge.Workspace;

namespace FileSync.Edge.Tests.Workspace;

/// <summary>Link resolution over a real tree with relative, chained and looping links.</summary>
public sealed class LinkResolverTests : IDisposable
{
    private readonly TempDirectory _scratch = new();
    private readonly string _root;

    public LinkResolverTests()
    {
        _root = Path.Combine(_scratch.Path, "proj");
        _scratch.Write("proj/a.txt", "a");
        _scratch.Write("proj/sub/b.txt", "b");
    }

    public void Dispose() => _scratch.Dispose();

    [UnixFact("creating symbolic links needs extra privileges on Windows")]
    public void Resolve_RelativeTargetsWithDotDotAndChains_ResolvedLikeTheKernel()
    {
        // x/hop -> ../proj/sub (relative, with ..); y -> x/hop (a chain); a missing tail is kept.
        Directory.CreateDirectory(Path.Combine(_scratch.Path, "x"));
        Directory.CreateSymbolicLink(Path.Combine(_scratch.Path, "x", "hop"), "../proj/sub");
        Directory.CreateSymbolicLink(
            Path.Combine(_scratch.Path, "y"),
            Path.Combine(_scratch.Path, "x", "hop")
        );

        Assert.Equal(
            Path.Combine(_root, "sub", "b.txt"),
            LinkResolver.Resolve(Path.Combine(_scratch.Path, "y", "b.txt"), out _)
        );
        Assert.Equal(
            Path.Combine(_root, "a.txt"),
            LinkResolver.Resolve(Path.Combine(_scratch.Path, "y", "..", "a.txt"), out _)
        );
        Assert.Equal(
            Path.Combine(_root, "sub", "not-yet"),
            LinkResolver.Resolve(Path.Combine(_scratch.Path, "y", "not-yet"), out _)
        );
    }

    [UnixFact("creating symbolic links needs extra privileges on Windows")]
    public void Resolve_LinkLoop_ReturnsNullWithReason()
    {
        File.CreateSymbolicLink(
            Path.Combine(_scratch.Path, "loop-a"),
            Path.Combine(_scratch.Path, "loop-b")
        );
        File.CreateSymbolicLink(
            Path.Combine(_scratch.Path, "loop-b"),
            Path.Combine(_scratch.Path, "loop-a")
        );

        Assert.Null(
            LinkResolver.Resolve(Path.Combine(_scratch.Path, "loop-a", "x"), out var error)
        );
        Assert.Contains("too many", error);
    }
}
