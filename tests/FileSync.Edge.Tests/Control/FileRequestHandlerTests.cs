using System.Diagnostics;
using System.Text;
using FileSync.Edge.Control;
using FileSync.Edge.Tests.Infrastructure;
using FileSync.Edge.Uplink;
using FileSync.Edge.Workspace;
using FileSync.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FileSync.Edge.Tests.Control;

/// <summary>
/// file:chunk_request (FileRequestHandler): a file's content, a folder's filtered listing, and a result
/// carrying an error, never content, for what may not or cannot be read; base64 only for a server with
/// capabilities; a named pipe answered without being opened.
/// </summary>
public sealed class FileRequestHandlerTests(ITestOutputHelper output)
    : ControlDispatcherFixture(output)
{
    [Theory]
    [InlineData("hello.txt", ContentEncodings.Utf8, "hello")]
    [InlineData("sub/deep.txt", ContentEncodings.Utf8, "deep")]
    public async Task ChunkRequest_FileInWorkspace_ReturnsContent(
        string relative,
        string encoding,
        string content
    )
    {
        var path = Path.Combine(_a, relative);

        var result = Assert.Single(await SendAsync(ChunkRequest(path, "req-7")));

        Assert.Equal(MessageTypes.ChunkResult, result.Type);
        Assert.Equal("req-7", Text(result, "requestId"));
        Assert.Equal(path, Text(result, "path"));
        Assert.Equal(encoding, Text(result, "encoding"));
        Assert.Equal(content, Text(result, "content"));
        Assert.Null(Text(result, "error"));
    }

    [Theory]
    [InlineData("ws-a/bin.dat", ErrorCodes.Binary)]
    [InlineData("ws-a/big.txt", ErrorCodes.TooLarge)]
    [InlineData("ws-a/missing.txt", ErrorCodes.NotFound)]
    [InlineData("ws-a/latin1.txt", ErrorCodes.NotUtf8)]
    [InlineData("ws-a/.env", ErrorCodes.ForbiddenPath)]
    [InlineData("ws-a/../outside/canary.txt", ErrorCodes.ForbiddenPath)]
    [InlineData("outside/canary.txt", ErrorCodes.ForbiddenPath)]
    [InlineData("ws-b/b.txt", ErrorCodes.ForbiddenPath)]
    public async Task ChunkRequest_NotReadable_ChunkResultWithErrorAndNoContent(
        string path,
        string code
    )
    {
        var result = Assert.Single(
            await SendAsync(ChunkRequest(Path.Combine(_scratch.Path, path)))
        );

        Assert.Equal(MessageTypes.ChunkResult, result.Type);
        Assert.Equal("r1", Text(result, "requestId"));
        Assert.Equal(code, Text(result, "code"));
        Assert.False(string.IsNullOrWhiteSpace(Text(result, "error")));
        Assert.Null(Text(result, "content"));
    }

    [Fact]
    public async Task ChunkRequest_Folder_AnsweredWithItsFilteredListing()
    {
        var result = Assert.Single(await SendAsync(ChunkRequest(_a, "dir-1")));

        Assert.Equal(MessageTypes.ChunkResult, result.Type);
        Assert.Null(Text(result, "error"));
        var names = Text(result, "content")!.Split('\n');
        Assert.Contains("sub/", names);
        Assert.Contains("hello.txt", names);
        Assert.DoesNotContain(".env", names); // ignored by the workspace's .gitignore
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
        Assert.Equal(_a, Text(result, "full_path"));
    }

    [Fact]
    public void FileRequest_NotUtf8_Base64ForAServerWithCapabilitiesOnly()
    {
        var handler = new FileRequestHandler(
            _registry,
            Options.Create(new SyncOptions { MaxFileBytes = 1000 }),
            _loggerFactory.CreateLogger<ControlDispatcher>()
        );
        var request = Parse(
            Encoding.UTF8.GetBytes(ChunkRequest(Path.Combine(_a, "latin1.txt"), "b1"))
        );

        var withCapabilities = Parse(
            handler.Answer(
                request,
                MessageTypes.ChunkResult,
                new UplinkSession(1, "e", "u", ["manifest"], 0)
            )
        );
        var legacy = Parse(
            handler.Answer(
                request,
                MessageTypes.ChunkResult,
                new UplinkSession(2, "e", "u", null, 0)
            )
        );

        Assert.Equal("base64", Text(withCapabilities, "encoding"));
        Assert.Equal("Y2Fm6Q==", Text(withCapabilities, "content"));
        Assert.Equal(ErrorCodes.NotUtf8, Text(legacy, "code"));
        Assert.Null(Text(legacy, "content"));
    }

    [LinuxFact("makes a named pipe with mkfifo (checked on Linux)")]
    public async Task ChunkRequest_NamedPipe_AnsweredWithoutOpeningIt()
    {
        var fifo = Path.Combine(_a, "pipe");
        using (var mkfifo = Process.Start("mkfifo", fifo))
        {
            await mkfifo.WaitForExitAsync().WaitAsync(Wait.Generous);
        }
        // Opening a FIFO for reading blocks until a writer comes: a dispatcher that opens it never answers.
        var dispatch = SendAsync(ChunkRequest(fifo));
        try
        {
            var result = Assert.Single(await dispatch.WaitAsync(Wait.Generous));
            Assert.Equal("not a regular file", Text(result, "error"));
        }
        finally
        {
            if (!dispatch.IsCompleted)
            {
                await File.WriteAllTextAsync(fifo, "unblock"); // Let the stuck reader go before the folder is deleted.
            }
        }
    }
}
