using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using FileSync.Edge.Tests.Infrastructure;
using FileSync.Edge.Workspace;
using FileSync.Protocol;
using MessagePack;

namespace FileSync.Edge.Tests.Workspace;

/// <summary>The persisted index: every field survives a save, and any file that is not a whole index of this version is refused with a reason, never an exception.</summary>
public sealed class WorkspaceIndexStoreTests : IDisposable
{
    private const string Root = "/home/dev/proj";

    private readonly TempDirectory _state = new();
    private readonly WorkspaceIndexStore _store;

    public WorkspaceIndexStoreTests()
    {
        _store = new WorkspaceIndexStore(_state.Path);
    }

    public void Dispose() => _state.Dispose();

    private static string HashOf(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>Entries at the edges of every field's range, and names that are not ASCII.</summary>
    private static WorkspaceIndex SmallIndex()
    {
        var index = new WorkspaceIndex();
        index.Set("a.txt", new FileEntry(0, 0, HashOf("a")));
        index.Set(
            "src/deep/ünïcødé ☃.cs",
            new FileEntry(
                102_400,
                638_000_000_000_000_001,
                HashOf("b"),
                638_000_000_000_000_002,
                ulong.MaxValue,
                638_000_000_000_000_003
            )
        );
        index.Set(
            "old/before-1970.txt",
            new FileEntry(long.MaxValue, -1, HashOf("c"), long.MinValue, 1, long.MaxValue)
        );
        return index;
    }

    private static byte[] Encode(WorkspaceIndex index, string root = Root)
    {
        var buffer = new ArrayBufferWriter<byte>();
        WorkspaceIndexFormat.Write(buffer, root, index);
        return buffer.WrittenSpan.ToArray();
    }

    private delegate void WriteAction(ref MessagePackWriter writer);

    private static byte[] EncodeWith(WriteAction write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        write(ref writer);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static void AssertSameEntries(WorkspaceIndex expected, WorkspaceIndex actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        foreach (var (path, entry) in expected.Entries)
        {
            Assert.True(actual.TryGet(path, out var loaded), path);
            Assert.Equal(entry, loaded);
        }
    }

    [Fact]
    public void SaveThenTryLoad_EveryFieldOfEveryEntryRoundTrips()
    {
        var saved = SmallIndex();
        _store.Save(Root, saved);

        var loaded = new WorkspaceIndex();
        Assert.True(_store.TryLoad(Root, loaded, out var problem), problem);

        Assert.Equal("", problem);
        AssertSameEntries(saved, loaded);
        Assert.Equal(saved.TotalBytes, loaded.TotalBytes);
        Assert.Equal(
            [Path.GetFileName(_store.PathFor(Root))],
            Directory.GetFiles(_state.Path).Select(Path.GetFileName)
        );
    }

    [Fact]
    public void SaveThenTryLoad_EmptyIndex_LoadsEmpty()
    {
        _store.Save(Root, new WorkspaceIndex());
        var loaded = new WorkspaceIndex();
        Assert.True(_store.TryLoad(Root, loaded, out _));
        Assert.Equal(0, loaded.Count);
    }

    [Fact]
    public void Save_HashesAreStoredAsRawBytesNotHex()
    {
        var index = new WorkspaceIndex();
        var hash = SHA256.HashData("content"u8);
        index.Set("f.txt", new FileEntry(7, 1, Convert.ToHexStringLower(hash)));
        _store.Save(Root, index);

        var file = File.ReadAllBytes(_store.PathFor(Root));

        Assert.True(file.AsSpan().IndexOf(hash) >= 0);
        Assert.True(
            file.AsSpan().IndexOf(Encoding.ASCII.GetBytes(Convert.ToHexStringLower(hash))) < 0
        );
    }

    [Fact]
    public void Save_EntryWithoutAValidHash_LeftOutSoItIsReadAgain()
    {
        var index = SmallIndex();
        index.Set("odd.txt", new FileEntry(1, 1, "not-a-hash"));
        _store.Save(Root, index);

        var loaded = new WorkspaceIndex();
        Assert.True(_store.TryLoad(Root, loaded, out _));
        Assert.False(loaded.Contains("odd.txt"));
        Assert.Equal(3, loaded.Count);
    }

    [Fact]
    public void Save_ReplacesThePreviousIndexAndLeavesNoTempFile()
    {
        _store.Save(Root, SmallIndex());
        var second = new WorkspaceIndex();
        second.Set("only.txt", new FileEntry(1, 2, HashOf("only")));
        _store.Save(Root, second);

        var loaded = new WorkspaceIndex();
        Assert.True(_store.TryLoad(Root, loaded, out _));
        AssertSameEntries(second, loaded);
        Assert.Single(Directory.GetFiles(_state.Path));
    }

    [Fact]
    public void TryLoad_NoSavedIndex_FalseWithoutAProblem()
    {
        Assert.False(_store.TryLoad(Root, new WorkspaceIndex(), out var problem));
        Assert.Equal("", problem);
    }

    [Fact]
    public void TryLoad_IndexOfAnotherRoot_Refused()
    {
        File.WriteAllBytes(_store.PathFor(Root), Encode(SmallIndex(), root: "/elsewhere"));
        var loaded = new WorkspaceIndex();
        Assert.False(_store.TryLoad(Root, loaded, out var problem));
        Assert.Contains("another workspace", problem, StringComparison.Ordinal);
        Assert.Equal(0, loaded.Count);
    }

    [Fact]
    public void TryLoad_OldJsonIndex_ReportedOnceAsAnEarlierFormatAndRemovedByTheNextSave()
    {
        var legacy = _store.LegacyJsonPathFor(Root);
        Directory.CreateDirectory(_state.Path);
        File.WriteAllText(
            legacy,
            $$"""{"version":2,"root":"{{Root}}","entries":[{"p":"a.txt","s":1,"m":2,"c":3,"i":4,"r":5,"h":"{{HashOf("a")}}"}]}"""
        );

        var loaded = new WorkspaceIndex();
        Assert.False(_store.TryLoad(Root, loaded, out var problem));
        Assert.Contains("JSON format of an earlier version", problem, StringComparison.Ordinal);
        Assert.Equal(0, loaded.Count);

        _store.Save(Root, SmallIndex());
        Assert.False(File.Exists(legacy));
        Assert.True(_store.TryLoad(Root, new WorkspaceIndex(), out problem), problem);
    }

    [Fact]
    public void TryLoad_JsonInTheIndexFile_ReportedAsAnEarlierFormat()
    {
        Directory.CreateDirectory(_state.Path);
        File.WriteAllText(_store.PathFor(Root), "\uFEFF  {\"version\":2,\"entries\":[]}");
        Assert.False(_store.TryLoad(Root, new WorkspaceIndex(), out var problem));
        Assert.Contains("JSON format of an earlier version", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(6)]
    [InlineData(-1)]
    [InlineData(long.MaxValue)]
    public void TryLoad_UnknownFormatVersion_RefusedNamingTheVersion(long version)
    {
        var data = EncodeWith(
            (ref MessagePackWriter writer) =>
            {
                writer.WriteArrayHeader(5);
                writer.Write(WorkspaceIndexFormat.Magic);
                writer.Write(version);
                writer.Write(Root);
                writer.WriteArrayHeader(0);
                writer.Write("a field of a future version");
            }
        );
        Directory.CreateDirectory(_state.Path);
        File.WriteAllBytes(_store.PathFor(Root), data);

        Assert.False(_store.TryLoad(Root, new WorkspaceIndex(), out var problem));
        Assert.Contains($"format version {version}", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void TryRead_TruncatedAtEveryOffset_RefusedWithAReasonAndAnEmptyIndex()
    {
        var data = Encode(SmallIndex());
        for (var length = 0; length < data.Length; length++)
        {
            var index = new WorkspaceIndex();
            var ok = WorkspaceIndexFormat.TryRead(
                data.AsMemory(0, length),
                Root,
                index,
                out var problem
            );
            Assert.False(ok, $"a prefix of {length} of {data.Length} bytes was accepted");
            Assert.True(length == 0 || problem.Length > 0, $"no reason at {length}");
            Assert.Equal(0, index.Count);
        }
    }

    [Fact]
    public void TryRead_EveryByteCorruptedInTurn_NeverThrowsAndNeverInventsEntries()
    {
        var original = Encode(SmallIndex());
        // A flipped byte, and the codes that announce the largest lengths and widest values.
        Func<byte, byte>[] corruptions =
        [
            b => (byte)~b,
            _ => 0x00,
            _ => 0xFF,
            _ => 0xDD, // array 32
            _ => 0xDB, // str 32
            _ => 0xC6, // bin 32
            _ => 0xCF, // uint 64
            _ => 0xC1, // never used
        ];
        for (var offset = 0; offset < original.Length; offset++)
        {
            foreach (var corrupt in corruptions)
            {
                var data = (byte[])original.Clone();
                data[offset] = corrupt(data[offset]);
                var index = new WorkspaceIndex();
                var ok = WorkspaceIndexFormat.TryRead(data, Root, index, out var problem);
                if (ok)
                {
                    // A byte inside a name or a number can change it and still be a valid index.
                    Assert.True(index.Count <= 3, $"offset {offset}: {index.Count} entries");
                }
                else
                {
                    Assert.NotEqual("", problem);
                    Assert.Equal(0, index.Count);
                }
            }
        }
    }

    [Fact]
    public void TryRead_CountsLargerThanTheFile_RefusedBeforeAllocating()
    {
        var hugeEntryCount = EncodeWith(
            (ref MessagePackWriter writer) =>
            {
                writer.WriteArrayHeader(5);
                writer.Write(WorkspaceIndexFormat.Magic);
                writer.Write(WorkspaceIndexFormat.Version);
                writer.Write(Root);
                writer.Write(ContentHash.Sha256.Name);
                writer.WriteArrayHeader(int.MaxValue);
            }
        );
        var hugeString = EncodeWith(
            (ref MessagePackWriter writer) =>
            {
                writer.WriteArrayHeader(5);
                writer.Write(WorkspaceIndexFormat.Magic);
                writer.Write(WorkspaceIndexFormat.Version);
                writer.WriteRaw([0xDB, 0x7F, 0xFF, 0xFF, 0xFF]); // str 32 of 2 GB
            }
        );
        var hugeHash = EncodeWith(
            (ref MessagePackWriter writer) =>
            {
                writer.WriteArrayHeader(6);
                writer.Write(WorkspaceIndexFormat.Magic);
                writer.Write(WorkspaceIndexFormat.Version);
                writer.Write(Root);
                writer.Write(ContentHash.Sha256.Name);
                writer.Write(new WorkspaceIndex().GuardFingerprint);
                writer.WriteArrayHeader(1);
                writer.WriteArrayHeader(7);
                writer.Write("a.txt");
                for (var i = 0; i < 5; i++)
                {
                    writer.Write(1);
                }
                writer.WriteRaw([0xC6, 0x7F, 0xFF, 0xFF, 0xFF]); // bin 32 of 2 GB
                writer.WriteRaw(new byte[40]);
            }
        );
        var before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var data in new[] { hugeEntryCount, hugeString, hugeHash })
        {
            Assert.False(
                WorkspaceIndexFormat.TryRead(data, Root, new WorkspaceIndex(), out var problem)
            );
            Assert.NotEqual("", problem);
        }
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1_000_000);
    }

    [Theory]
    [InlineData("")]
    [InlineData("/etc/passwd")]
    [InlineData("../outside.txt")]
    [InlineData("a/../../outside.txt")]
    [InlineData("a//b.txt")]
    [InlineData("./a.txt")]
    [InlineData("a/")]
    public void TryRead_EntryWithAPathThatLeavesOrIsNotAWorkspacePath_Refused(string path)
    {
        var data = EncodeWith(
            (ref MessagePackWriter writer) =>
            {
                writer.WriteArrayHeader(6);
                writer.Write(WorkspaceIndexFormat.Magic);
                writer.Write(WorkspaceIndexFormat.Version);
                writer.Write(Root);
                writer.Write(ContentHash.Sha256.Name);
                writer.Write(new WorkspaceIndex().GuardFingerprint);
                writer.WriteArrayHeader(1);
                writer.WriteArrayHeader(7);
                writer.Write(path);
                for (var i = 0; i < 5; i++)
                {
                    writer.Write(1);
                }
                writer.Write(new byte[32]);
            }
        );
        Assert.False(
            WorkspaceIndexFormat.TryRead(data, Root, new WorkspaceIndex(), out var problem)
        );
        Assert.Contains("invalid entry", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void TryRead_BytesAfterTheIndex_Refused()
    {
        var data = Encode(SmallIndex()).Append((byte)0xC0).ToArray();
        Assert.False(
            WorkspaceIndexFormat.TryRead(data, Root, new WorkspaceIndex(), out var problem)
        );
        Assert.Contains("after the end", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void TryLoad_RandomBytes_RefusedWithAReason()
    {
        var random = new Random(17);
        Directory.CreateDirectory(_state.Path);
        for (var i = 0; i < 200; i++)
        {
            var data = new byte[random.Next(1, 400)];
            random.NextBytes(data);
            File.WriteAllBytes(_store.PathFor(Root), data);
            Assert.False(_store.TryLoad(Root, new WorkspaceIndex(), out var problem));
            Assert.NotEqual("", problem);
        }
    }
}
