using System.Security.Cryptography;
using FileSync.Edge.Workspace;
using FileSync.Edge.Workspace.Pipeline;
using FileSync.Protocol;
using FileSync.Protocol.Tree;

namespace FileSync.Edge.Tests.Protocol;

/// <summary>The per-directory digests of the digest-first resume: a pure function of names, sizes and hashes.</summary>
public sealed class ManifestTreeTests
{
    private static string Hash(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));

    private static readonly ManifestEntry[] s_files =
    [
        new("README.md", Hash("readme"), 6),
        new("src/a.cs", Hash("a"), 1),
        new("src/deep/b.cs", Hash("b"), 1),
        new("src/é.txt", Hash("e"), 1),
        new("src/\U0001F600.txt", Hash("smile"), 5),
        new("src/\uFF5E.txt", Hash("tilde"), 5),
    ];

    [Fact]
    public void Digest_EmptyTree_IsTheSha256OfNothing()
    {
        Assert.Equal(
            Convert.ToHexStringLower(SHA256.HashData([])),
            ManifestTree.Build([]).RootDigest
        );
    }

    [Fact]
    public void Digest_KnownTree_IsThePinnedValueOfTheSpecification()
    {
        // Pinned so another implementation (a server in another language) can check itself against it;
        // the record layout is in src/FileSync.Protocol/README.md.
        var tree = ManifestTree.Build([
            new ManifestEntry("a/b.txt", Hash("b"), 1),
            new ManifestEntry("c.txt", Hash("c"), 1),
        ]);

        Assert.Equal(ExpectedDigest(), tree.RootDigest);
    }

    [Fact]
    public void Digest_InputOrder_DoesNotMatter()
    {
        var forward = ManifestTree.Build(s_files);
        var backward = ManifestTree.Build(s_files.Reverse());

        Assert.Equal(forward.RootDigest, backward.RootDigest);
        Assert.Equal(forward.Find("src")!.Digest, backward.Find("src")!.Digest);
    }

    [Fact]
    public void Digest_NamesSortedByUtf8Bytes_NotUtf16()
    {
        // U+1F600 (F0 9F 98 80) sorts after U+FF5E (EF BD 9E) in UTF-8, before it in UTF-16.
        var names = ManifestTree.Build(s_files).Find("src")!.Files.Select(f => f.Name).ToList();

        Assert.Equal(["a.cs", "é.txt", "\uFF5E.txt", "\U0001F600.txt"], names);
    }

    [Theory]
    [InlineData("size")]
    [InlineData("hash")]
    [InlineData("name")]
    [InlineData("move")]
    [InlineData("extra")]
    public void Digest_AnyChangeBeneath_ChangesTheRootAndThePathToIt(string change)
    {
        var changed = s_files.ToList();
        var index = changed.FindIndex(f => f.RelativePath == "src/deep/b.cs");
        var file = changed[index];
        switch (change)
        {
            case "size":
                changed[index] = file with { Size = 2 };
                break;
            case "hash":
                changed[index] = file with { Hash = Hash("other") };
                break;
            case "name":
                changed[index] = file with { RelativePath = "src/deep/c.cs" };
                break;
            case "move":
                changed[index] = file with { RelativePath = "src/b.cs" };
                break;
            default:
                changed.Add(new ManifestEntry("src/deep/new.cs", Hash("n"), 1));
                break;
        }
        var before = ManifestTree.Build(s_files);
        var after = ManifestTree.Build(changed);

        Assert.NotEqual(before.RootDigest, after.RootDigest);
        Assert.NotEqual(before.Find("src")!.Digest, after.Find("src")!.Digest);
        Assert.Equal(before.Find("")!.Files.Single().Name, after.Find("")!.Files.Single().Name);
    }

    [Fact]
    public void FilesUnder_ASubdirectory_ListsEveryFileBeneathWithFullPaths()
    {
        var tree = ManifestTree.Build(s_files);

        Assert.Equal(
            s_files
                .Where(f => f.RelativePath.StartsWith("src/", StringComparison.Ordinal))
                .Select(f => f.RelativePath)
                .Order(),
            tree.FilesUnder("src").Select(f => f.RelativePath).Order()
        );
        Assert.Empty(tree.FilesUnder("nope"));
        Assert.Equal(s_files.Length, tree.FilesUnder("").Count());
    }

    [Fact]
    public void Build_VeryDeepTree_DoesNotOverflowTheStack()
    {
        var path = string.Join('/', Enumerable.Range(0, 20_000).Select(i => "d")) + "/f";

        var tree = ManifestTree.Build([new ManifestEntry(path, Hash("f"), 1)]);

        Assert.Single(tree.FilesUnder(""));
    }

    [Fact]
    public void Answer_LargeDirectory_SplitIntoFramesOfAtMostTheLimitTheLastMarked()
    {
        var files = Enumerable
            .Range(0, 9000)
            .Select(i => new ManifestEntry(
                $"big/f{i:D5}",
                Hash(i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                i
            ))
            .Append(new ManifestEntry("other/x", Hash("x"), 1))
            .ToList();
        var exchange = new ManifestTreeExchange(files);

        var parts = exchange
            .Answer(new TreeRequestPayload { Dirs = ["big", "big", "missing"], Subtrees = [""] })
            .ToList();

        Assert.All(
            parts,
            p =>
                Assert.True(
                    p.Dirs.Sum(d => d.Files!.Count + (d.Subdirs?.Count ?? 0))
                        + p.Subtrees.Sum(d => d.Files!.Count)
                        <= ManifestTreeExchange.EntriesPerFrame
                )
        );
        Assert.Equal(
            9000,
            parts.SelectMany(p => p.Dirs).Where(d => d.Dir == "big").Sum(d => d.Files!.Count)
        );
        Assert.Contains(
            parts.SelectMany(p => p.Dirs),
            d => d.Dir == "missing" && d.Files!.Count == 0
        );
        Assert.Equal(9001, parts.SelectMany(p => p.Subtrees).Sum(d => d.Files!.Count));
    }

    [Fact]
    public void Answer_SubtreesOfExactlyAFramesWorthAndEmpty_EachListedEveryFileOnceInBoundedFrames()
    {
        var perFrame = ManifestTreeExchange.EntriesPerFrame;
        var files = Enumerable
            .Range(0, perFrame)
            .Select(i => new ManifestEntry(
                $"full/d{i % 7}/f{i:D5}",
                Hash(i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                i
            ))
            .Concat(
                Enumerable
                    .Range(0, 2 * perFrame + 5)
                    .Select(i => new ManifestEntry($"large/f{i:D5}", Hash("l"), 1))
            )
            .ToList();
        var exchange = new ManifestTreeExchange(files);

        var parts = exchange
            .Answer(new TreeRequestPayload { Subtrees = ["full", "nothing", "large"] })
            .ToList();

        Assert.All(
            parts,
            p => Assert.True(p.Subtrees.Sum(d => Math.Max(1, d.Files!.Count)) <= perFrame)
        );
        var listed = parts.SelectMany(p => p.Subtrees).ToList();
        string[] FilesOf(string dir) =>
            [
                .. listed
                    .Where(d => d.Dir == dir)
                    .SelectMany(d => d.Files!)
                    .Select(f => $"{dir}/{f!.Name}")
                    .Order(StringComparer.Ordinal),
            ];
        Assert.Equal(
            files
                .Select(f => f.RelativePath)
                .Where(p => p.StartsWith("full/", StringComparison.Ordinal))
                .Order(StringComparer.Ordinal),
            FilesOf("full")
        );
        Assert.Equal(2 * perFrame + 5, FilesOf("large").Length);
        Assert.Contains(listed, d => d.Dir == "nothing" && d.Files!.Count == 0);
    }

    private static string ExpectedDigest()
    {
        // The specification, written out: records of one directory hashed in UTF-8 name order.
        static byte[] FileRecord(string name, string hash, ulong size) =>
            [
                0x01,
                .. BigEndian((uint)name.Length),
                .. System.Text.Encoding.UTF8.GetBytes(name),
                .. BigEndian(size),
                .. BigEndian(32u),
                .. Convert.FromHexString(hash),
            ];
        var a = SHA256.HashData(FileRecord("b.txt", Hash("b"), 1));
        byte[] root =
        [
            0x02,
            .. BigEndian(1u),
            (byte)'a',
            .. a,
            .. FileRecord("c.txt", Hash("c"), 1),
        ];
        return Convert.ToHexStringLower(SHA256.HashData(root));
    }

    private static byte[] BigEndian(uint value)
    {
        var bytes = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }

    private static byte[] BigEndian(ulong value)
    {
        var bytes = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        return bytes;
    }
}
