using FileSync.Edge.Tests.Infrastructure;
using FileSync.Edge.Workspace;
using FileSync.Edge.Workspace.Pipeline;

namespace FileSync.Edge.Tests.EndToEnd;

/// <summary>
/// A first sync larger than one frame of everything: the digest-first exchange lists the workspace in
/// several <c>tree_listing</c> frames per subtree (built one frame at a time), the hash workers compress
/// the content they read, and the mirror must still be byte for byte the workspace, files near the size
/// limit included.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ManyFilesSyncTests(ITestOutputHelper output) : EndToEndTestBase(output)
{
    [Fact]
    public async Task InitialSync_MoreFilesThanFitInTwoListingFrames_MirrorByteIdentical()
    {
        await StartServerAsync();
        var workspace = NewWorkspace();
        var files = 2 * ManifestTreeExchange.EntriesPerFrame + 200;
        var random = new Random(2024);
        for (var i = 0; i < files; i++)
        {
            // Mostly small files in one large folder and a few nested ones; every 500th near the 100 KB limit.
            var size = i % 500 == 0 ? 90_000 + i % 10_000 : random.Next(0, 2_000);
            var text = new char[size];
            for (var c = 0; c < size; c++)
            {
                text[c] = (char)random.Next(' ', '~');
            }
            var folder = i % 10 == 0 ? $"nested/d{i % 7}/e{i % 3}" : "flat";
            workspace.Write($"{folder}/file{i:D5}.txt", new string(text));
        }

        var agent = StartAgent(workspace, "--max-files", "10000");
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));
        await Wait.UntilAsync(
            async () => (await Server!.GetStatusAsync()).Workspaces.Single().Done,
            Wait.Generous,
            () => "file_done of the first sync"
        );

        var (bodies, _, _) = await ReceivedAsync();
        Assert.Equal(files, bodies);
        agent.Terminate();
        Assert.Equal(0, await agent.WaitForExitAsync());
    }
}
