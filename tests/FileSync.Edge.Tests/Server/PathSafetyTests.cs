using System.Text;
using FileSync.Edge.Tests.Infrastructure;
using FileSync.Protocol;
using FileSync.Server;
using Xunit.Abstractions;

namespace FileSync.Edge.Tests.Server;

public sealed class PathSafetyTests(ITestOutputHelper output) : ServerTestBase(output)
{
    private static readonly TheoryData<string, string> s_unsafeRelativePaths = new()
    {
        { "../x", ErrorCodes.ForbiddenPath },
        { "../../x", ErrorCodes.ForbiddenPath },
        { "/etc/passwd", ErrorCodes.ForbiddenPath },
        { "a/../../x", ErrorCodes.ForbiddenPath },
        { "a/../x", ErrorCodes.ForbiddenPath },
        { "a/./b", ErrorCodes.ForbiddenPath },
        { "./a", ErrorCodes.ForbiddenPath },
        { "a//b", ErrorCodes.ForbiddenPath },
        { "a/", ErrorCodes.ForbiddenPath },
        { "..", ErrorCodes.ForbiddenPath },
        { ".", ErrorCodes.ForbiddenPath },
        { "", ErrorCodes.ForbiddenPath },
        { "x\0y", ErrorCodes.UnsupportedName },
        { new string('n', 256), ErrorCodes.UnsupportedName },
    };

    /// <summary>Each unsafe relative path, in both dialects.</summary>
    public static TheoryData<string, string, ServerDialect> UnsafeRelativePaths
    {
        get
        {
            var data = new TheoryData<string, string, ServerDialect>();
            foreach (var row in s_unsafeRelativePaths)
            {
                data.Add((string)row[0], (string)row[1], ServerDialect.Ours);
                data.Add((string)row[0], (string)row[1], ServerDialect.Todoforai);
            }
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(UnsafeRelativePaths))]
    public async Task Create_UnsafeRelativePath_RejectedWithCodeAndNothingWritten(
        string relativePath,
        string code,
        ServerDialect dialect
    )
    {
        var server = await StartServerAsync(configure: o => o.Dialect = dialect);
        var client = await ConnectAsync(server);

        await client.SendTextAsync(
            EdgeMessages.FileSync(
                MessageTypes.FileCreateSync,
                relativePath,
                Encoding.UTF8.GetBytes("pwned"),
                ContentEncodings.Utf8
            )
        );

        var error = await client.ReceiveErrorAsync(code);
        Assert.Equal(relativePath, error.Payload.GetProperty("relativePath").GetString());
        Assert.Empty(Sandbox.AllFiles());
    }

    /// <summary>Names only Windows refuses are stored as they are, inside the mirror, on Linux and macOS.</summary>
    [UnixTheory("Windows cannot store these names: MirrorPathsTests checks that it says so")]
    [InlineData(@"C:\x")]
    [InlineData("c:olon.txt")]
    [InlineData(@"..\x")]
    [InlineData(@"a\..\..\x")]
    [InlineData("bad\nname")]
    [InlineData("tab\tname")]
    [InlineData("del\u007f\u0085name")]
    public async Task Create_NameOnlyWindowsRefuses_StoredLiterallyInsideTheMirror(
        string relativePath
    )
    {
        var server = await StartServerAsync();
        var client = await ConnectAsync(server);

        await client.SendTextAsync(EdgeMessages.Create(relativePath, "kept"));

        await Wait.UntilAsync(
            () => File.Exists(Sandbox.MirrorPath("proj", relativePath)),
            "the file stored under its own name"
        );
        Assert.Equal("kept", await File.ReadAllTextAsync(Sandbox.MirrorPath("proj", relativePath)));
        Assert.Single(Sandbox.AllFiles());
    }

    [Theory]
    [InlineData("..")]
    [InlineData("/home/dev/..")]
    [InlineData(".")]
    [InlineData("/")]
    [InlineData(@"C:\Users\..")]
    public async Task Create_UnsafeWorkspaceName_RejectedWithForbiddenPathAndNothingWritten(
        string workspace
    )
    {
        var server = await StartServerAsync();
        var client = await ConnectAsync(server);

        await client.SendTextAsync(EdgeMessages.Create("x.txt", "pwned", workspace));

        await client.ReceiveErrorAsync(ErrorCodes.ForbiddenPath);
        Assert.Empty(Sandbox.AllFiles());
        Assert.Empty((await server.GetStatusAsync()).Workspaces);
    }

    [Fact]
    public async Task Create_WorkspaceDerivedFromPathEscapes_Rejected()
    {
        var server = await StartServerAsync();
        var client = await ConnectAsync(server);

        await client.SendTextAsync(
            """{"type":"workspace:file_create_sync","payload":{"path":"/home/../x.txt","content":"pwned","relativePath":"x.txt"}}"""
        );

        await client.ReceiveErrorAsync(ErrorCodes.ForbiddenPath);
        Assert.Empty(Sandbox.AllFiles());
    }

    [Theory]
    [InlineData("/home/dev/proj", "../outside.txt", ServerDialect.Ours)]
    [InlineData("/home/dev/..", "outside.txt", ServerDialect.Ours)]
    [InlineData("/home/dev/proj", "/tmp/outside.txt", ServerDialect.Ours)]
    [InlineData("/home/dev/proj", "../outside.txt", ServerDialect.Todoforai)]
    [InlineData("/home/dev/..", "outside.txt", ServerDialect.Todoforai)]
    [InlineData("/home/dev/proj", "/tmp/outside.txt", ServerDialect.Todoforai)]
    public async Task Delete_UnsafePath_RejectedAndOutsideFileKept(
        string workspace,
        string relativePath,
        ServerDialect dialect
    )
    {
        var server = await StartServerAsync(configure: o => o.Dialect = dialect);
        var client = await ConnectAsync(server);
        var outside = Path.Combine(Sandbox.Root, "outside.txt");
        await File.WriteAllTextAsync(outside, "precious");

        await client.SendTextAsync(EdgeMessages.Delete(relativePath, workspace));

        await client.ReceiveErrorAsync(ErrorCodes.ForbiddenPath);
        Assert.Equal("precious", await File.ReadAllTextAsync(outside));
    }

    [UnixFact("creating symbolic links needs extra privileges on Windows")]
    public async Task Create_ThroughSymlinkedFolderInMirror_Rejected()
    {
        var server = await StartServerAsync();
        var client = await ConnectAsync(server);
        var outside = Directory.CreateDirectory(Path.Combine(Sandbox.Root, "outside")).FullName;
        Directory.CreateDirectory(Path.Combine(Sandbox.MirrorDirectory, "proj"));
        Directory.CreateSymbolicLink(
            Path.Combine(Sandbox.MirrorDirectory, "proj", "link"),
            outside
        );

        await client.SendTextAsync(EdgeMessages.Create("link/pwn.txt", "pwned"));
        await client.ReceiveErrorAsync(ErrorCodes.ForbiddenPath);
        await File.WriteAllTextAsync(Path.Combine(outside, "victim.txt"), "precious");
        await client.SendTextAsync(EdgeMessages.Delete("link/victim.txt"));
        await client.ReceiveErrorAsync(ErrorCodes.ForbiddenPath);

        Assert.Equal(["victim.txt"], Directory.GetFiles(outside).Select(Path.GetFileName));
    }

    [UnixFact("creating symbolic links needs extra privileges on Windows")]
    public async Task Create_SymlinkedWorkspaceFolder_Rejected()
    {
        var server = await StartServerAsync();
        var client = await ConnectAsync(server);
        var outside = Directory.CreateDirectory(Path.Combine(Sandbox.Root, "outside")).FullName;
        Directory.CreateSymbolicLink(Path.Combine(Sandbox.MirrorDirectory, "proj"), outside);

        await client.SendTextAsync(EdgeMessages.Create("pwn.txt", "pwned"));

        await client.ReceiveErrorAsync(ErrorCodes.ForbiddenPath);
        Assert.Empty(Directory.GetFiles(outside));
    }

    [Fact]
    public async Task Manifest_UnsafeEntries_SkippedNotNeededAndNothingOutsideDeleted()
    {
        var server = await StartServerAsync();
        var client = await ConnectAsync(server);
        var outside = Path.Combine(Sandbox.Root, "outside.txt");
        await File.WriteAllTextAsync(outside, "precious");

        await client.SendTextAsync(
            EdgeMessages.Manifest([("../outside.txt", "x"), ("/etc/passwd", "x"), ("ok.txt", "ok")])
        );

        var diff = await client.ReceiveAsync(MessageTypes.ManifestDiff);
        Assert.Equal(
            ["ok.txt"],
            diff.Payload.GetProperty("need").EnumerateArray().Select(e => e.GetString())
        );
        Assert.Equal("precious", await File.ReadAllTextAsync(outside));
    }

    [Fact]
    public async Task Manifest_UnsafeWorkspaceName_RejectedWithForbiddenPath()
    {
        var server = await StartServerAsync();
        var client = await ConnectAsync(server);
        var outside = Path.Combine(Sandbox.Root, "outside.txt");
        await File.WriteAllTextAsync(outside, "precious");

        await client.SendTextAsync(EdgeMessages.Manifest([], workspace: "/home/.."));

        await client.ReceiveErrorAsync(ErrorCodes.ForbiddenPath);
        Assert.Equal("precious", await File.ReadAllTextAsync(outside));
    }

    [Fact]
    public async Task Create_AfterForbiddenPath_ConnectionKeepsWorking()
    {
        var server = await StartServerAsync();
        var client = await ConnectAsync(server);

        await client.SendTextAsync(EdgeMessages.Create("../x", "pwned"));
        await client.ReceiveErrorAsync(ErrorCodes.ForbiddenPath);
        await client.SendTextAsync(EdgeMessages.Create("fine.txt", "fine"));

        await Wait.UntilAsync(
            () => File.Exists(Sandbox.MirrorPath("proj", "fine.txt")),
            "valid file still applied"
        );
    }
}
