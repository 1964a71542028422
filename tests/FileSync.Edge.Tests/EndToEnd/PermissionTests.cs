using System.Runtime.Versioning;
using FileSync.Edge.Tests.Infrastructure;

namespace FileSync.Edge.Tests.EndToEnd;

/// <summary>
/// Unreadable files and directories, with a real unprivileged agent process (as root, permissions do
/// not stop reads, so the agent is started as "nobody").
/// </summary>
[Trait("Category", "Integration")]
public sealed class PermissionTests(ITestOutputHelper output) : EndToEndTestBase(output)
{
    [UnixFact("needs POSIX file modes, which Windows does not have")]
    [UnsupportedOSPlatform("windows")]
    public async Task PermissionDenied_FileAndDirectory_LoggedCountedThenSyncedWhenReadable()
    {
        var workspace = NewWorkspace();
        workspace.Write("open.txt", "readable");
        workspace.Write("secret.txt", "not readable yet");
        workspace.Write("locked/inside.txt", "in an unreadable directory");
        OpenUp(workspace.Path);
        File.SetUnixFileMode(Path.Combine(workspace.Path, "secret.txt"), UnixFileMode.None);
        File.SetUnixFileMode(Path.Combine(workspace.Path, "locked"), UnixFileMode.None);
        await StartServerAsync();

        var agent = StartAgentProcess(
            Server!.WebSocketUri,
            [workspace.Path],
            asUnprivilegedUser: true
        );

        await MirrorAssert.EqualsEventuallyAsync(
            () => new Dictionary<string, byte[]> { ["open.txt"] = "readable"u8.ToArray() },
            MirrorOf(workspace)
        );
        await Wait.UntilAsync(
            async () => (await Server!.GetStatusAsync()).Workspaces.Single().Done,
            Wait.Generous,
            () => "file_done"
        );
        // The agent publishes its counters just after the batch that sent file_done: ask until they show.
        var edgeId = await WaitForEdgeIdAsync();
        await WaitForErrorCountAsync(edgeId, 2);
        Assert.Single(
            agent.Lines,
            l => l.Contains("cannot read secret.txt", StringComparison.Ordinal)
        );
        Assert.Single(
            agent.Lines,
            l => l.Contains("cannot list directory locked", StringComparison.Ordinal)
        );

        File.SetUnixFileMode(
            Path.Combine(workspace.Path, "secret.txt"),
            UnixFileMode.UserRead
                | UnixFileMode.UserWrite
                | UnixFileMode.OtherRead
                | UnixFileMode.GroupRead
        );
        File.SetUnixFileMode(Path.Combine(workspace.Path, "locked"), (UnixFileMode)0b111_101_101);

        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));
        await WaitForErrorCountAsync(edgeId, 0);
    }

    private async Task WaitForErrorCountAsync(string edgeId, int expected)
    {
        var errors = -1;
        await Wait.UntilAsync(
            async () =>
            {
                errors = (await GetAgentStatusAsync(edgeId))
                    .GetProperty("workspaces")[0]
                    .GetProperty("errors")
                    .GetInt32();
                return errors == expected;
            },
            Wait.Generous,
            () => $"errors {expected} in edge:status, got {errors}"
        );
    }

    /// <summary>Lets the unprivileged agent reach the workspace: the temp folders are created 0700.</summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void OpenUp(string workspace)
    {
        for (
            var directory = new DirectoryInfo(workspace);
            directory is not null && directory.FullName != Path.GetTempPath().TrimEnd('/');
            directory = directory.Parent
        )
        {
            File.SetUnixFileMode(directory.FullName, (UnixFileMode)0b111_101_101);
        }
        foreach (
            var entry in Directory.EnumerateFileSystemEntries(
                workspace,
                "*",
                SearchOption.AllDirectories
            )
        )
        {
            File.SetUnixFileMode(
                entry,
                Directory.Exists(entry) ? (UnixFileMode)0b111_101_101 : (UnixFileMode)0b110_100_100
            );
        }
    }
}
