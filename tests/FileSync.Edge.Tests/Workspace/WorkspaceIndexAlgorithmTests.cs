using System.Buffers;
using System.Text;
using FileSync.Edge.Tests.Infrastructure;
using FileSync.Edge.Workspace;
using FileSync.Protocol;
using MessagePack;

namespace FileSync.Edge.Tests.Workspace;

/// <summary>Index format 4 and later: the hash algorithm is recorded, and hashes of one algorithm are never read as the other's.</summary>
public sealed class WorkspaceIndexAlgorithmTests : IDisposable
{
    private const string Root = "/home/dev/proj";

    private readonly TempDirectory _state = new();
    private readonly WorkspaceIndexStore _store;

    public WorkspaceIndexAlgorithmTests()
    {
        _store = new WorkspaceIndexStore(_state.Path);
    }

    public void Dispose() => _state.Dispose();

    private static WorkspaceIndex IndexOf(ContentHash algorithm)
    {
        var index = new WorkspaceIndex { Algorithm = algorithm };
        index.Set("a.txt", new FileEntry(1, 10, algorithm.Compute("a"u8), 11, 12, 13));
        index.Set("d/ü.txt", new FileEntry(2, 20, algorithm.Compute("b"u8), 21, 22, 23));
        return index;
    }

    public static TheoryData<string> Algorithms => ["sha256", "xxh128"];

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void SaveThenTryLoad_EitherAlgorithm_RoundTripsWithIt(string name)
    {
        var algorithm = ContentHash.FromName(name)!;
        var saved = IndexOf(algorithm);
        _store.Save(Root, saved);

        var loaded = new WorkspaceIndex();
        Assert.True(_store.TryLoad(Root, loaded, out var problem), problem);

        Assert.Same(algorithm, loaded.Algorithm);
        Assert.Equal(2, loaded.Count);
        foreach (var (path, entry) in saved.Entries)
        {
            Assert.True(loaded.TryGet(path, out var back));
            Assert.Equal(entry, back);
            Assert.Equal(algorithm.ByteLength * 2, back.Hash.Length);
        }
        var file = File.ReadAllBytes(_store.PathFor(Root));
        Assert.True(file.AsSpan().IndexOf(Encoding.ASCII.GetBytes(name)) >= 0);
    }

    [Fact]
    public void Save_HashOfTheOtherAlgorithm_LeftOutSoItIsReadAgain()
    {
        var index = IndexOf(ContentHash.XxHash128);
        index.Set("stray.txt", new FileEntry(1, 1, ContentHash.Sha256.Compute("s"u8)));
        _store.Save(Root, index);

        var loaded = new WorkspaceIndex();
        Assert.True(_store.TryLoad(Root, loaded, out _));
        Assert.False(loaded.Contains("stray.txt"));
        Assert.Equal(2, loaded.Count);
    }

    [Theory]
    [InlineData("sha256", 16)]
    [InlineData("xxh128", 32)]
    public void TryRead_HashLengthNotOfTheRecordedAlgorithm_Refused(string name, int hashBytes)
    {
        var data = Encode(name, new byte[hashBytes]);

        var index = new WorkspaceIndex();
        Assert.False(WorkspaceIndexFormat.TryRead(data, Root, index, out var problem));
        // Too short for the algorithm's entry ("truncated") or a hash of the wrong size ("invalid entry").
        Assert.NotEqual("", problem);
        Assert.Equal(0, index.Count);
    }

    [Fact]
    public void TryRead_UnknownAlgorithm_RefusedWithAReason()
    {
        var data = Encode("md5", new byte[16]);

        Assert.False(
            WorkspaceIndexFormat.TryRead(data, Root, new WorkspaceIndex(), out var problem)
        );
        Assert.Contains("algorithm", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void TryRead_SavedUnderAnotherSecretGuard_RefusedSoEveryFileIsCheckedAgain()
    {
        var saved = new WorkspaceIndex { GuardFingerprint = "off" };
        saved.Set("a.txt", new FileEntry(1, 1, new string('0', 64), 1, 1, 1));
        var buffer = new ArrayBufferWriter<byte>();
        WorkspaceIndexFormat.Write(buffer, Root, saved);

        var guarded = new WorkspaceIndex
        {
            GuardFingerprint = new FileSync.Edge.Filtering.Secrets.SecretGuard(true).Fingerprint,
        };
        Assert.False(
            WorkspaceIndexFormat.TryRead(buffer.WrittenMemory, Root, guarded, out var problem)
        );
        Assert.Contains("secret guard", problem, StringComparison.Ordinal);
        Assert.Equal(0, guarded.Count);
        Assert.True(
            WorkspaceIndexFormat.TryRead(
                buffer.WrittenMemory,
                Root,
                new WorkspaceIndex { GuardFingerprint = "off" },
                out _
            )
        );
    }

    [Fact]
    public void TryRead_Version3Index_RefusedSoItIsRebuilt()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(4);
        writer.Write(WorkspaceIndexFormat.Magic);
        writer.Write(3);
        writer.Write(Root);
        writer.WriteArrayHeader(0);
        writer.Flush();

        Assert.False(
            WorkspaceIndexFormat.TryRead(
                buffer.WrittenMemory,
                Root,
                new WorkspaceIndex(),
                out var problem
            )
        );
        Assert.Contains("format version 3", problem, StringComparison.Ordinal);
    }

    private static byte[] Encode(string algorithm, byte[] hash)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(6);
        writer.Write(WorkspaceIndexFormat.Magic);
        writer.Write(WorkspaceIndexFormat.Version);
        writer.Write(Root);
        writer.Write(algorithm);
        writer.Write(new WorkspaceIndex().GuardFingerprint);
        writer.WriteArrayHeader(1);
        writer.WriteArrayHeader(7);
        writer.Write("a.txt");
        for (var i = 0; i < 5; i++)
        {
            writer.Write(1);
        }
        writer.Write(hash);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }
}
