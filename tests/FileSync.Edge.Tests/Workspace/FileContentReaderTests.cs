using System.Diagnostics;
using FileSync.Edge.Tests.Infrastructure;
using FileSync.Edge.Workspace;

namespace FileSync.Edge.Tests.Workspace;

/// <summary>The reader on real files: races during a read, files that must never be opened, reads that would leave the workspace.</summary>
public sealed class FileContentReaderTests : IDisposable
{
    private readonly TempDirectory _root = new();
    private readonly TempDirectory _outside = new();
    private readonly FileContentReader _reader;

    public FileContentReaderTests()
    {
        _reader = new FileContentReader(_root.Path, maxFileBytes: 100);
    }

    private FileReadResult Read(string relative) =>
        _reader.Read(relative, skipIfMatches: null, keepContent: true);

    [Fact]
    public void RegularFile_IsReadAndHashed()
    {
        _root.Write("a/b.txt", "hello");
        var result = Read("a/b.txt");
        Assert.Equal(FileReadStatus.Ok, result.Status);
        Assert.Equal("hello"u8.ToArray(), result.Content);
        Assert.Equal(1, _reader.FilesRead);
    }

    [Fact]
    public void FilesOfEverySize_ContentKeptExactlyAndTheSameHashWithoutKeeping()
    {
        // Reads go through pooled buffers longer than the file: a small file read after a large one must
        // get exactly its own bytes, and a read without keeping the content must hash the same bytes.
        var reader = new FileContentReader(_root.Path, maxFileBytes: 200_000);
        var random = new Random(24);
        foreach (var size in new[] { 131_073, 0, 1, 4_095, 85_001, 7, 199_999, 300 })
        {
            var bytes = new byte[size];
            for (var i = 0; i < size; i++)
            {
                bytes[i] = (byte)random.Next('a', 'z' + 1);
            }
            var name = $"size-{size}.txt";
            File.WriteAllBytes(Path.Combine(_root.Path, name), bytes);

            var kept = reader.Read(name, skipIfMatches: null, keepContent: true);
            var hashedOnly = reader.Read(name, skipIfMatches: null, keepContent: false);

            Assert.Equal(FileReadStatus.Ok, kept.Status);
            Assert.Equal(bytes, kept.Content);
            Assert.Equal(FileReadStatus.Ok, hashedOnly.Status);
            Assert.Null(hashedOnly.Content);
            Assert.Equal(reader.Algorithm.Compute(bytes), kept.Hash);
            Assert.Equal(kept.Hash, hashedOnly.Hash);
        }
    }

    [Fact]
    public void FileDeletedWhileBeingRead_IsMissing_NotSentAsRead()
    {
        _root.Write("going.txt", "soon gone");
        _reader.AfterContentRead = File.Delete;
        Assert.Equal(FileReadStatus.Missing, Read("going.txt").Status);
    }

    [Fact]
    public void FileRewrittenWhileBeingRead_IsUnstable()
    {
        _root.Write("busy.txt", "first");
        _reader.AfterContentRead = path => File.WriteAllText(path, "second, longer");
        Assert.Equal(FileReadStatus.Unstable, Read("busy.txt").Status);
    }

    [Fact]
    public async Task NamedPipe_IsNotAFile_AndNeverBlocks()
    {
        await MakeFifoAsync(Path.Combine(_root.Path, "pipe"));
        // Opening a FIFO for reading blocks until a writer comes; the reader must answer at once.
        var result = await Task.Run(() => Read("pipe")).WaitAsync(Wait.Generous);
        Assert.Equal(FileReadStatus.NotAFile, result.Status);
        Assert.Equal(0, _reader.FilesRead);
    }

    [Fact]
    public void SymlinkToAFileOutside_IsNotAFile()
    {
        var secret = _outside.Write("secret.txt", "secret");
        File.CreateSymbolicLink(Path.Combine(_root.Path, "link.txt"), secret);
        Assert.Equal(FileReadStatus.NotAFile, Read("link.txt").Status);
    }

    [Fact]
    public void DirectorySwappedForALinkOutside_IsRefusedAfterTheOpen()
    {
        // What a local attacker would race in between a caller's checks and the open: the open itself
        // goes through the link, and the descriptor's real path gives it away.
        _outside.Write("sub/secret.txt", "secret");
        Directory.CreateSymbolicLink(
            Path.Combine(_root.Path, "dir"),
            Path.Combine(_outside.Path, "sub")
        );
        var result = Read("dir/secret.txt");
        Assert.Equal(FileReadStatus.OutsideWorkspace, result.Status);
        Assert.Null(result.Content);
    }

    [Fact]
    public void WorkspaceReachedThroughALink_StillReads()
    {
        _root.Write("in.txt", "inside");
        var linkedRoot = Path.Combine(_outside.Path, "linked-root");
        Directory.CreateSymbolicLink(linkedRoot, _root.Path);
        var reader = new FileContentReader(linkedRoot, maxFileBytes: 100);
        Assert.Equal(
            FileReadStatus.Ok,
            reader.Read("in.txt", skipIfMatches: null, keepContent: false).Status
        );
    }

    internal static async Task MakeFifoAsync(string path)
    {
        using var mkfifo = Process.Start("mkfifo", path);
        await mkfifo.WaitForExitAsync().WaitAsync(Wait.Generous);
        Assert.Equal(0, mkfifo.ExitCode);
    }

    public void Dispose()
    {
        _root.Dispose();
        _outside.Dispose();
    }
}
