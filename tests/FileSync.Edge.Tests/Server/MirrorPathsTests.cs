using FileSync.Edge.Tests.Infrastructure;
using FileSync.Server.Mirror;

namespace FileSync.Edge.Tests.Server;

public sealed class MirrorPathsTests
{
    [Theory]
    [InlineData("a.txt")]
    [InlineData(".gitignore")]
    [InlineData("src/deep/nested/file.cs")]
    [InlineData("a..b/c..")]
    [InlineData("...")]
    [InlineData("name with spaces/ünïcödé ✓.md")]
    [InlineData("x/C:")]
    public void TryValidateRelativePath_SafePath_AcceptedAndSplit(string relativePath)
    {
        Assert.True(
            MirrorPaths.TryValidateRelativePath(relativePath, out var segments, out var reason),
            reason
        );
        Assert.Equal(relativePath.Split('/'), segments);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("/abs", "absolute")]
    [InlineData("../x", "'..'")]
    [InlineData("a/../../x", "'..'")]
    [InlineData("./x", "'.'")]
    [InlineData("a//b", "empty")]
    [InlineData("a/", "empty")]
    [InlineData("a\0b", "NUL")]
    public void TryValidateRelativePath_UnsafePath_RejectedWithReason(
        string relativePath,
        string reasonPart
    )
    {
        Assert.False(MirrorPaths.TryValidateRelativePath(relativePath, out _, out var reason));
        Assert.Contains(reasonPart, reason, StringComparison.Ordinal);
    }

    [Fact]
    public void TryValidateRelativePath_TooLong_Rejected()
    {
        var path = string.Join('/', Enumerable.Repeat("abcdefgh", 600));

        Assert.False(MirrorPaths.TryValidateRelativePath(path, out _, out _));
    }

    [Theory]
    [InlineData("/home/dev/proj", "proj")]
    [InlineData("/home/dev/proj/", "proj")]
    [InlineData(@"C:\Users\dev\proj", "proj")]
    [InlineData(@"C:\Users\dev\proj\\", "proj")]
    [InlineData("proj", "proj")]
    [InlineData("/", "")]
    [InlineData(@"C:\", "C:")]
    public void LastSegment_PosixOrWindowsPath_ReturnsFolderName(string path, string expected)
    {
        Assert.Equal(expected, MirrorPaths.LastSegment(path));
    }

    [Theory]
    [InlineData("/home/dev/proj/a/b.txt", "a/b.txt", "/home/dev/proj")]
    [InlineData(@"C:\dev\proj\a\b.txt", "a/b.txt", @"C:\dev\proj")]
    [InlineData("/proj/x", "x", "/proj")]
    [InlineData("/x", "x", "/")]
    [InlineData("/home/dev/proj/a/b.txt", "b.txt", "/home/dev/proj/a")]
    [InlineData("/home/dev/proj/ab.txt", "b.txt", null)]
    [InlineData("/home/dev/proj/a.txt", "other.txt", null)]
    [InlineData("a.txt", "a.txt", null)]
    public void DeriveWorkspaceRoot_PathEndingWithRelativePath_ReturnsRoot(
        string path,
        string relativePath,
        string? expected
    )
    {
        Assert.Equal(expected, MirrorPaths.DeriveWorkspaceRoot(path, relativePath));
    }

    [Theory]
    [InlineData("proj", true)]
    [InlineData("my.project", true)]
    [InlineData("..", false)]
    [InlineData(".", false)]
    [InlineData("", false)]
    [InlineData("a/b", false)]
    [InlineData("a\0", false)]
    public void TryValidateWorkspaceName_Name_AcceptedOnlyWhenOneSafeSegment(
        string name,
        bool expected
    )
    {
        Assert.Equal(expected, MirrorPaths.TryValidateWorkspaceName(name, out _));
    }

    [LinuxTheory("compares POSIX full paths (checked on Linux)")]
    [InlineData("/m/proj", "/m/proj/a", true)]
    [InlineData("/m/proj", "/m/proj", false)]
    [InlineData("/m/proj", "/m/proj2/a", false)]
    [InlineData("/m/proj", "/m/a", false)]
    public void IsStrictlyInside_FullPaths_ComparesBySegments(
        string directory,
        string path,
        bool expected
    )
    {
        Assert.Equal(expected, MirrorPaths.IsStrictlyInside(directory, path));
    }

    /// <summary>On Linux and macOS these are ordinary names: the server stores them (on Windows it refuses them, naming the rule).</summary>
    [Theory]
    [InlineData("bad\nname")]
    [InlineData("tab\there")]
    [InlineData("del\u007Fname")]
    [InlineData("nel\u0085name")]
    [InlineData(@"back\slash")]
    [InlineData(@"..\x")]
    [InlineData("c:olon.txt")]
    [InlineData("C:/x")]
    public void TryValidateRelativePath_NameStorableOnUnix_AcceptedOffWindows(string relativePath)
    {
        var accepted = MirrorPaths.TryValidateRelativePath(relativePath, out _, out var reason);
        Assert.Equal(!OperatingSystem.IsWindows(), accepted);
        if (!accepted)
        {
            Assert.Contains("Windows", reason);
            Assert.False(MirrorPaths.IsForbiddenReason(reason!));
        }
    }

    [Fact]
    public void TryValidateRelativePath_SegmentOver255Bytes_RefusedAsUnsupportedName()
    {
        var name = new string('\u00e9', 128); // 256 bytes in UTF-8, 128 characters
        Assert.False(MirrorPaths.TryValidateRelativePath("dir/" + name, out _, out var reason));
        Assert.Contains("255 bytes", reason);
        Assert.False(MirrorPaths.IsForbiddenReason(reason!));
        Assert.True(MirrorPaths.TryValidateRelativePath("dir/" + name[..127], out _, out _));
    }

    [Fact]
    public void TryValidateRelativePath_LoneSurrogate_RefusedAsNotUnicode()
    {
        var name = "a" + (char)0xD800 + "b";
        Assert.False(MirrorPaths.TryValidateRelativePath("dir/" + name, out _, out var reason));
        Assert.Contains("Unicode", reason);
        Assert.True(MirrorPaths.TryValidateRelativePath("dir/a\U0001F600b", out _, out _));
    }
}
