using System.Text;
using FileSync.Protocol;
using Xunit.Abstractions;

namespace FileSync.Edge.Tests.Server;

public sealed class FileSyncApplyTests(ITestOutputHelper output) : ServerTestBase(output)
{
    [Fact]
    public async Task Create_Utf8Content_WritesExactUtf8Bytes()
    {
        var server = await StartServerAsync();
        var client = await ConnectAsync(server);
        const string text = "héllo wörld ✓ 🚀\r\nline two\n";

        await client.SendTextAsync(EdgeMessages.Create("src/deep/file.txt", text));

        var path = Sandbox.MirrorPath("proj", "src/deep/file.txt");
        await Wait.UntilAsync(() => File.Exists(path), "file mirrored");
        Assert.Equal(Encoding.UTF8.GetBytes(text), await File.ReadAllBytesAsync(path));
    }

    [Fact]
    public async Task Create_Base64Content_WritesExactBinaryBytes()
    {
        var server = await StartServerAsync();
        var client = await ConnectAsync(server);
        var bytes = Enumerable
            .Range(0, 256)
            .Select(i => (byte)i)
            .Concat(new byte[] { 0, 0xFF, 0xFE, 0 })
            .ToArray();

        await client.SendTextAsync(EdgeMessages.CreateBinary("bin/blob.dat", bytes));

        var path = Sandbox.MirrorPath("proj", "bin/blob.dat");
        await Wait.UntilAsync(() => File.Exists(path), "file mirrored");
        Assert.Equal(bytes, await File.ReadAllBytesAsync(path));
    }

    [Fact]
    public async Task Create_EmptyFile_WritesEmptyFile()
    {
        var server = await StartServerAsync();
        var client = await ConnectAsync(server);

        await client.SendTextAsync(EdgeMessages.Create("empty.txt", ""));

        var path = Sandbox.MirrorPath("proj", "empty.txt");
        await Wait.UntilAsync(() => File.Exists(path), "file mirrored");
        Assert.Empty(await File.ReadAllBytesAsync(path));
    }

    [Fact]
    public async Task Modify_ExistingFile_ReplacesContentWithoutLeavingTempFiles()
    {
        var server = await StartServerAsync();
        var client = await ConnectAsync(server);
        await client.SendTextAsync(EdgeMessages.Create("a.txt", "first version, rather long"));

        await client.SendTextAsync(EdgeMessages.Modify("a.txt", "second"));

        var path = Sandbox.MirrorPath("proj", "a.txt");
        await Wait.UntilAsync(
            () => File.Exists(path) && File.ReadAllText(path) == "second",
            "modified content mirrored"
        );
        Assert.Equal(["a.txt"], Sandbox.WorkspaceFiles("proj"));
    }

    [Fact]
    public async Task Delete_File_RemovesItAndPrunesEmptyFoldersButKeepsWorkspaceFolder()
    {
        var server = await StartServerAsync();
        var client = await ConnectAsync(server);
        await client.SendTextAsync(EdgeMessages.Create("a/b/c/deep.txt", "x"));
        await client.SendTextAsync(EdgeMessages.Create("a/keep.txt", "y"));
        await WaitForWorkspaceAsync(server, w => w.Files == 2, "two files mirrored");

        await client.SendTextAsync(EdgeMessages.Delete("a/b/c/deep.txt"));

        await WaitForWorkspaceAsync(server, w => w.Received.Delete == 1, "delete applied");
        Assert.False(Directory.Exists(Path.Combine(Sandbox.MirrorDirectory, "proj", "a", "b")));
        Assert.True(File.Exists(Sandbox.MirrorPath("proj", "a/keep.txt")));

        await client.SendTextAsync(EdgeMessages.Delete("a/keep.txt"));

        await WaitForWorkspaceAsync(server, w => w.Received.Delete == 2, "second delete applied");
        Assert.False(Directory.Exists(Path.Combine(Sandbox.MirrorDirectory, "proj", "a")));
        Assert.True(Directory.Exists(Path.Combine(Sandbox.MirrorDirectory, "proj")));
    }

    [Theory]
    [InlineData("hash")]
    [InlineData("size")]
    public async Task Create_HashOrSizeMismatch_RejectedAndNothingWritten(string wrongField)
    {
        var server = await StartServerAsync();
        var client = await ConnectAsync(server);
        var content = Encoding.UTF8.GetBytes("actual content");
        var frame = EdgeMessages.FileSync(
            MessageTypes.FileCreateSync,
            "bad.txt",
            content,
            ContentEncodings.Utf8,
            hash: wrongField == "hash"
                ? EdgeMessages.Sha256Hex(Encoding.UTF8.GetBytes("other"))
                : null,
            size: wrongField == "size" ? content.Length + 1 : null
        );

        await client.SendTextAsync(frame);

        var error = await client.ReceiveErrorAsync(ErrorCodes.InvalidPayload);
        Assert.Equal("bad.txt", error.Payload.GetProperty("relativePath").GetString());
        Assert.Equal(
            MessageTypes.FileCreateSync,
            error.Payload.GetProperty("messageType").GetString()
        );
        Assert.False(File.Exists(Sandbox.MirrorPath("proj", "bad.txt")));
    }

    [Fact]
    public async Task Modify_HashMismatch_KeepsPreviousContent()
    {
        var server = await StartServerAsync();
        var client = await ConnectAsync(server);
        await client.SendTextAsync(EdgeMessages.Create("a.txt", "good"));
        await WaitForWorkspaceAsync(server, w => w.Files == 1, "file mirrored");

        await client.SendTextAsync(
            EdgeMessages.FileSync(
                MessageTypes.FileModifySync,
                "a.txt",
                Encoding.UTF8.GetBytes("evil"),
                ContentEncodings.Utf8,
                hash: new string('0', 64)
            )
        );

        await client.ReceiveErrorAsync(ErrorCodes.InvalidPayload);
        Assert.Equal("good", await File.ReadAllTextAsync(Sandbox.MirrorPath("proj", "a.txt")));
    }

    [Fact]
    public async Task Create_WithoutHashSizeEncodingOrWorkspace_DerivesWorkspaceFromPathAndWrites()
    {
        var server = await StartServerAsync();
        var client = await ConnectAsync(server);

        await client.SendTextAsync(
            """
            {"type":"workspace:file_create_sync","payload":{"path":"/home/dev/legacyproj/src/x.py","content":"print(1)\n",
             "edgeId":"e","userId":"u","relativePath":"src/x.py"}}
            """
        );

        var path = Sandbox.MirrorPath("legacyproj", "src/x.py");
        await Wait.UntilAsync(
            () => File.Exists(path),
            "file mirrored under the derived workspace folder"
        );
        Assert.Equal("print(1)\n", await File.ReadAllTextAsync(path));
        var workspace = (await server.GetStatusAsync()).Workspaces.Single();
        Assert.Equal("/home/dev/legacyproj", workspace.Path);
    }

    [Fact]
    public async Task Create_WindowsWorkspacePath_UsesItsLastSegment()
    {
        var server = await StartServerAsync();
        var client = await ConnectAsync(server);

        await client.SendTextAsync(
            EdgeMessages.Create("a.txt", "x", workspace: @"C:\Users\dev\winproj")
        );

        await Wait.UntilAsync(
            () => File.Exists(Sandbox.MirrorPath("winproj", "a.txt")),
            "mirrored into winproj"
        );
    }

    [Fact]
    public async Task Create_FileWhereMirrorHasFolder_ReplacesFolder()
    {
        var server = await StartServerAsync();
        var client = await ConnectAsync(server);
        await client.SendTextAsync(EdgeMessages.Create("thing/inner.txt", "old"));
        await WaitForWorkspaceAsync(server, w => w.Files == 1, "folder mirrored");

        await client.SendTextAsync(EdgeMessages.Create("thing", "now a file"));

        var path = Sandbox.MirrorPath("proj", "thing");
        await Wait.UntilAsync(() => File.Exists(path), "file replaced the folder");
        Assert.Equal(["thing"], Sandbox.WorkspaceFiles("proj"));
    }

    [Fact]
    public async Task Apply_SameMessagesTwice_LeavesMirrorRight()
    {
        var server = await StartServerAsync();
        var client = await ConnectAsync(server);
        string[] frames =
        [
            EdgeMessages.Create("keep.txt", "keep"),
            EdgeMessages.Create("gone.txt", "gone"),
            EdgeMessages.Modify("keep.txt", "kept v2"),
            EdgeMessages.Delete("gone.txt"),
        ];

        foreach (var frame in frames.Concat(frames))
        {
            await client.SendTextAsync(frame);
        }

        var workspace = await WaitForWorkspaceAsync(
            server,
            w => w.Received.Delete == 2,
            "both deletes applied"
        );
        Assert.Equal(["keep.txt"], Sandbox.WorkspaceFiles("proj"));
        Assert.Equal(
            "kept v2",
            await File.ReadAllTextAsync(Sandbox.MirrorPath("proj", "keep.txt"))
        );
        Assert.Equal(4, workspace.Received.Create);
        Assert.Equal(2, workspace.Received.Modify);
    }

    [Fact]
    public async Task Delete_MissingFile_IsNoOpWithoutError()
    {
        var server = await StartServerAsync();
        var client = await ConnectAsync(server);

        await client.SendTextAsync(EdgeMessages.Delete("never/existed.txt"));
        await client.SendTextAsync(EdgeMessages.Done());

        var workspace = await WaitForWorkspaceAsync(server, w => w.Done, "done after the delete");
        Assert.Equal(1, workspace.Received.Delete);
        Assert.Empty(await server.GetRepliesAsync(client.EdgeId));
    }

    [Fact]
    public async Task Status_AfterSync_CountsMessagesAndMirrorContent()
    {
        var server = await StartServerAsync();
        var client = await ConnectAsync(server);
        var binary = new byte[] { 1, 2, 3, 0, 5 };

        await client.SendTextAsync(EdgeMessages.Create("a.txt", "12345"));
        await client.SendTextAsync(EdgeMessages.CreateBinary("b.bin", binary));
        await client.SendTextAsync(EdgeMessages.Modify("a.txt", "1234567"));
        await client.SendTextAsync(EdgeMessages.Create("c.txt", "c"));
        await client.SendTextAsync(EdgeMessages.Delete("c.txt"));
        await client.SendTextAsync(EdgeMessages.Done());

        var workspace = await WaitForWorkspaceAsync(server, w => w.Done, "workspace done");
        Assert.Equal(EdgeMessages.WorkspaceRoot, workspace.Path);
        Assert.Equal(2, workspace.Files);
        Assert.Equal(7 + binary.Length, workspace.Bytes);
        Assert.Equal(3, workspace.Received.Create);
        Assert.Equal(1, workspace.Received.Modify);
        Assert.Equal(1, workspace.Received.Delete);
        Assert.Equal(1, workspace.Received.Done);
        Assert.Equal(0, workspace.Received.Manifest);
        Assert.Equal(5 + binary.Length + 7 + 1, workspace.Received.ContentBytes);
    }

    [Fact]
    public async Task Create_TwoWorkspaces_MirroredIntoSeparateFolders()
    {
        var server = await StartServerAsync();
        var client = await ConnectAsync(server);

        await client.SendTextAsync(EdgeMessages.Create("x.txt", "1", workspace: "/w/alpha"));
        await client.SendTextAsync(EdgeMessages.Create("x.txt", "2", workspace: "/w/beta/"));

        var status = await Wait.UntilAsync(
            server.GetStatusAsync,
            s => s.Workspaces.Count == 2 && s.Workspaces.All(w => w.Files == 1),
            "two workspaces"
        );
        Assert.Equal(["alpha", "beta"], status.Workspaces.Select(w => w.Name));
        Assert.Equal("2", await File.ReadAllTextAsync(Sandbox.MirrorPath("beta", "x.txt")));
    }
}
