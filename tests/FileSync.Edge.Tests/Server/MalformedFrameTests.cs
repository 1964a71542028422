using System.Net.WebSockets;
using System.Text;
using FileSync.Protocol;
using FileSync.Server;
using Xunit.Abstractions;

namespace FileSync.Edge.Tests.Server;

public sealed class MalformedFrameTests(ITestOutputHelper output) : ServerTestBase(output)
{
    /// <summary>Malformed in both dialects.</summary>
    private static readonly string[] s_malformedInBoth =
    [
        "not json at all",
        "{\"type\": ",
        "[1,2,3]",
        "\"just a string\"",
        "{}",
        """{"payload":{}}""",
        """{"type":42,"payload":{}}""",
        """{"type":"workspace:file_create_sync","payload":[1]}""",
        """{"type":"workspace:file_create_sync","payload":"x"}""",
        """{"type":"workspace:file_create_sync"}""",
        """{"type":"workspace:file_create_sync","payload":{"workspace":"/w/p","relativePath":"a","content":"x","size":"big"}}""",
        """{"type":"workspace:file_create_sync","payload":{"workspace":"/w/p","relativePath":7,"content":"x"}}""",
        """{"type":"workspace:file_create_sync","payload":{"workspace":"/w/p","relativePath":"a"}}""",
        """{"type":"workspace:file_delete_sync","payload":{"workspace":"/w/p"}}""",
        """{"type":"workspace:file_done","payload":{"stats":{}}}""",
    ];

    /// <summary>
    /// Malformed only in our dialect: the todoforai backend stores <c>content</c> as text and
    /// reads no <c>encoding</c>, and it has no manifests (they are recorded as replies); a frame carrying only <c>path</c> needs a known root there
    /// (see <see cref="TodoforaiClientShapeTests"/>) and lacks <c>relativePath</c> here.
    /// </summary>
    private static readonly string[] s_malformedInOurs =
    [
        """{"type":"workspace:file_create_sync","payload":{"workspace":"/w/p","relativePath":"a","content":"%%%","encoding":"base64"}}""",
        """{"type":"workspace:file_create_sync","payload":{"workspace":"/w/p","relativePath":"a","content":"x","encoding":"utf16"}}""",
        """{"type":"workspace:manifest","payload":{"path":"/w/p","files":[{"hash":"x"}]}}""",
        """{"type":"workspace:manifest","payload":{"path":"/w/p","files":"nope"}}""",
        """{"type":"workspace:file_create_sync","payload":{"path":"/w/p/a","content":"x","edgeId":"e","userId":"u"}}""",
        """{"type":"workspace:file_delete_sync","payload":{"path":"/w/p/a","edgeId":"e","userId":"u"}}""",
    ];

    public static TheoryData<string, ServerDialect> MalformedFrames
    {
        get
        {
            var data = new TheoryData<string, ServerDialect>();
            foreach (var frame in s_malformedInBoth)
            {
                data.Add(frame, ServerDialect.Ours);
                data.Add(frame, ServerDialect.Todoforai);
            }
            foreach (var frame in s_malformedInOurs)
            {
                data.Add(frame, ServerDialect.Ours);
            }
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(MalformedFrames))]
    public async Task Frame_Malformed_AnsweredWithMalformedMessageAndConnectionKeepsWorking(
        string frame,
        ServerDialect dialect
    )
    {
        var server = await StartServerAsync(configure: o => o.Dialect = dialect);
        var client = await ConnectAsync(server);

        await client.SendTextAsync(frame);

        // One lowercase error in both dialects (a todoforai client stops at any ERROR).
        var error = await client.ReceiveErrorAsync(ErrorCodes.MalformedMessage);
        Assert.False(string.IsNullOrWhiteSpace(error.Payload.GetProperty("message").GetString()));
        Assert.DoesNotContain('\n', error.Payload.GetProperty("message").GetString()!);
        await client.SendTextAsync(EdgeMessages.Create("after.txt", "still alive"));
        await Wait.UntilAsync(
            () => File.Exists(Sandbox.MirrorPath("proj", "after.txt")),
            "valid frame applied after the bad one"
        );
        Assert.Empty(Sandbox.WorkspaceFiles("p"));
    }

    [Fact]
    public async Task Frame_Binary_AnsweredWithErrorAndConnectionKeepsWorking()
    {
        var server = await StartServerAsync();
        var client = await ConnectAsync(server);

        await client.SendBinaryAsync(Encoding.UTF8.GetBytes(EdgeMessages.Create("bin.txt", "x")));

        await client.ReceiveErrorAsync(ErrorCodes.MalformedMessage);
        await client.SendTextAsync(EdgeMessages.Create("after.txt", "ok"));
        await Wait.UntilAsync(
            () => File.Exists(Sandbox.MirrorPath("proj", "after.txt")),
            "valid frame applied"
        );
        Assert.False(File.Exists(Sandbox.MirrorPath("proj", "bin.txt")));
    }

    [Fact]
    public async Task Frame_FragmentedText_ReassembledAndApplied()
    {
        var server = await StartServerAsync();
        var client = await ConnectAsync(server);
        var bytes = Encoding.UTF8.GetBytes(
            EdgeMessages.Create("frag.txt", new string('z', 50_000))
        );

        for (var offset = 0; offset < bytes.Length; offset += 7_000)
        {
            var count = Math.Min(7_000, bytes.Length - offset);
            await client.Socket.SendAsync(
                bytes.AsMemory(offset, count),
                WebSocketMessageType.Text,
                endOfMessage: offset + count == bytes.Length,
                CancellationToken.None
            );
        }

        var path = Sandbox.MirrorPath("proj", "frag.txt");
        await Wait.UntilAsync(() => File.Exists(path), "fragmented frame applied");
        Assert.Equal(50_000, new FileInfo(path).Length);
    }

    [Fact]
    public async Task Frame_JustUnderLimit_Applied()
    {
        var server = await StartServerAsync();
        var client = await ConnectAsync(server);
        var content = new byte[3 * 1024 * 1024];
        new Random(42).NextBytes(content);

        await client.SendTextAsync(EdgeMessages.CreateBinary("big.bin", content));

        var path = Sandbox.MirrorPath("proj", "big.bin");
        await WaitForWorkspaceAsync(server, w => w.Files == 1, "large file applied");
        Assert.Equal(content, await File.ReadAllBytesAsync(path));
    }

    [Fact]
    public async Task Frame_OverFiveMegabytes_DiscardedWithErrorAndConnectionKeepsWorking()
    {
        var server = await StartServerAsync();
        var client = await ConnectAsync(server);
        var huge = EdgeMessages.Create(
            "huge.txt",
            new string('a', ProtocolMessage.MaxFrameBytes + 10)
        );

        await client.SendTextAsync(huge);

        await client.ReceiveErrorAsync(ErrorCodes.MalformedMessage);
        await client.SendTextAsync(EdgeMessages.Create("after.txt", "ok"));
        await Wait.UntilAsync(
            () => File.Exists(Sandbox.MirrorPath("proj", "after.txt")),
            "valid frame applied"
        );
        Assert.Equal(["after.txt"], Sandbox.WorkspaceFiles("proj"));
    }
}
