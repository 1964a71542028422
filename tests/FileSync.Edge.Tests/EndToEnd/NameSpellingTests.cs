using System.Text;
using FileSync.Edge.Tests.Infrastructure;
using FileSync.Edge.Workspace;

namespace FileSync.Edge.Tests.EndToEnd;

/// <summary>
/// Case-only and Unicode-form renames against the real reference server. The case tests run the agent
/// with <see cref="PathComparer.IgnoreCaseVariable"/> set: on this Linux disk it compares paths as on
/// Windows and macOS (the comparison that used to see a case-only rename as "the same path" and send
/// nothing). The Unicode tests make NFD names on Linux, as macOS and HFS+ hand them back.
/// </summary>
[Trait("Category", "Integration")]
public sealed class NameSpellingTests(ITestOutputHelper output) : EndToEndTestBase(output)
{
    private const string Nfc = "caf\u00e9.txt";
    private const string Nfd = "cafe\u0301.txt";

    private static readonly Dictionary<string, string?> s_ignoreCase = new()
    {
        [PathComparer.IgnoreCaseVariable] = "1",
    };

    [Fact]
    public async Task CaseOnlyRename_Live_ServerHoldsOnlyTheNewSpelling()
    {
        var workspace = NewWorkspace();
        workspace.Write("Readme-Case.txt", "hello");
        workspace.Write("Docs/Guide.md", "guide");
        await StartServerAsync();
        StartCaseInsensitiveAgent(workspace);
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));

        File.Move(workspace.Combine("Readme-Case.txt"), workspace.Combine("README-CASE.txt"));
        Directory.Move(workspace.Combine("Docs"), workspace.Combine("DOCS"));
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));

        // Editing it afterwards leaves one name, with the new content.
        workspace.Write("README-CASE.txt", "hello again");
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));
        Assert.Equal(
            ["DOCS/Guide.md", "README-CASE.txt"],
            MirrorAssert.FilesOf(MirrorOf(workspace)).Keys.Order(StringComparer.Ordinal)
        );
    }

    [Fact]
    public async Task CaseOnlyRename_ThenResync_ServerStillHoldsOnlyTheNewSpelling()
    {
        var workspace = NewWorkspace();
        workspace.Write("Readme-Case.txt", "hello");
        await StartServerAsync();
        StartCaseInsensitiveAgent(workspace);
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));
        File.Move(workspace.Combine("Readme-Case.txt"), workspace.Combine("README-CASE.txt"));
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));

        var edgeId = await WaitForEdgeIdAsync();
        var done = (await Server!.GetStatusAsync()).Workspaces.Single().Received.Done;
        await Server.SendCommandAsync(
            edgeId,
            $$$"""{"type":"workspace:resync","payload":{"path":{{{System.Text.Json.JsonSerializer.Serialize(workspace.Path)}}}}}"""
        );
        await Wait.UntilAsync(
            async () => (await Server.GetStatusAsync()).Workspaces.Single().Received.Done > done,
            Wait.Generous,
            () => "the resync's file_done"
        );
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));
    }

    [Fact]
    public async Task CaseOnlyRename_WhileStopped_RestartHoldsOnlyTheNewSpelling()
    {
        var workspace = NewWorkspace();
        workspace.Write("Readme-Case.txt", "hello");
        workspace.Write("other.txt", "other");
        await StartServerAsync();
        var agent = StartCaseInsensitiveAgent(workspace);
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));
        Assert.Equal(0, await agent.StopAsync());

        File.Move(workspace.Combine("Readme-Case.txt"), workspace.Combine("README-CASE.txt"));
        StartCaseInsensitiveAgent(workspace);

        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));
    }

    [Fact]
    public async Task NfdName_OnDisk_SyncsUnderItsNfcSpellingAndIsReadByIt()
    {
        var workspace = NewWorkspace();
        workspace.Write(Nfd, "décomposé");
        workspace.Write("re\u0301sume\u0301/notes.txt", "in an NFD folder");
        await StartServerAsync();
        StartAgent(workspace);

        await MirrorAssert.EqualsEventuallyAsync(
            () =>
                new()
                {
                    [Nfc] = Encoding.UTF8.GetBytes("décomposé"),
                    ["r\u00e9sum\u00e9/notes.txt"] = Encoding.UTF8.GetBytes("in an NFD folder"),
                },
            MirrorOf(workspace)
        );

        // A server command naming the NFC path finds the NFD file.
        var edgeId = await WaitForEdgeIdAsync();
        var requested = Path.Combine(workspace.Path, "r\u00e9sum\u00e9", "notes.txt");
        await Server!.SendCommandAsync(
            edgeId,
            $$$"""{"type":"file:chunk_request","payload":{"requestId":"nfc","path":{{{System.Text.Json.JsonSerializer.Serialize(requested)}}}}}"""
        );
        var reply = await Wait.UntilAsync(
            async () =>
                (await Server.GetRepliesAsync(edgeId)).FirstOrDefault(r =>
                    r.Type == "file:chunk_result"
                    && r.Payload.GetProperty("requestId").GetString() == "nfc"
                ),
            r => r is not null,
            Wait.Generous,
            _ => "the chunk result"
        );
        Assert.Equal("in an NFD folder", reply!.Payload.GetProperty("content").GetString());
    }

    [Fact]
    public async Task FormOnlyRename_Live_ServerKeepsOneNfcName()
    {
        var workspace = NewWorkspace();
        workspace.Write(Nfc, "same name");
        await StartServerAsync();
        StartAgent(workspace);
        var expected = new Dictionary<string, byte[]> { [Nfc] = "same name"u8.ToArray() };
        await MirrorAssert.EqualsEventuallyAsync(() => expected, MirrorOf(workspace));

        File.Move(workspace.Combine(Nfc), workspace.Combine(Nfd));
        workspace.Write(Nfd, "same name, edited in its NFD spelling");
        expected[Nfc] = "same name, edited in its NFD spelling"u8.ToArray();
        await MirrorAssert.EqualsEventuallyAsync(() => expected, MirrorOf(workspace));
    }

    [Fact]
    public async Task TwoFormsOfOneName_InOneFolder_OneSyncsAndTheOtherIsNamedAsSkipped()
    {
        var workspace = NewWorkspace();
        workspace.Write(Nfc, "the NFC one");
        workspace.Write(Nfd, "the NFD one");
        await StartServerAsync();
        StartAgent(workspace);

        await MirrorAssert.EqualsEventuallyAsync(
            () => new() { [Nfc] = "the NFC one"u8.ToArray() },
            MirrorOf(workspace)
        );
        // The counts are final once the server has file_done (the mirror can match a moment before).
        await Wait.UntilAsync(
            async () => (await Server!.GetStatusAsync()).Workspaces.Single().Done,
            Wait.Generous,
            () => "file_done of the initial sync"
        );
        var edgeId = await WaitForEdgeIdAsync();
        var status = await GetAgentStatusAsync(edgeId);
        var workspaceStatus = status.GetProperty("workspaces")[0];
        Assert.Equal(1, workspaceStatus.GetProperty("skipped").GetInt32());
        var skipped = workspaceStatus.GetProperty("skippedFiles")[0];
        Assert.Equal("cafe\\u0301.txt", skipped.GetProperty("path").GetString());
        Assert.Equal(SkipReasons.NameConflict, skipped.GetProperty("reason").GetString());
    }

    private FileSync.Testing.ChildProcess StartCaseInsensitiveAgent(TempDirectory workspace) =>
        StartAgentProcess(
            Server!.WebSocketUri,
            [workspace.Path],
            asUnprivilegedUser: false,
            s_ignoreCase
        );
}
