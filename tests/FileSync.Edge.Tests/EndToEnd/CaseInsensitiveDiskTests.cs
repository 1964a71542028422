using FileSync.Edge.Tests.Infrastructure;
using FileSync.Edge.Workspace;

namespace FileSync.Edge.Tests.EndToEnd;

/// <summary>
/// A workspace on a real case-insensitive disk (FAT through FUSE): the old name of a case-only rename
/// still opens there, as on NTFS and APFS. The agent is told the disk is case-insensitive
/// (<see cref="PathComparer.IgnoreCaseVariable"/>, what Windows and macOS assume).
/// </summary>
[Trait("Category", "Integration")]
public sealed class CaseInsensitiveDiskTests(ITestOutputHelper output) : EndToEndTestBase(output)
{
    [FatFact]
    public async Task CaseOnlyRename_OnFat_ServerHoldsOnlyTheNewSpelling()
    {
        using var fat = FatFileSystem.Mount();
        var workspacePath = Path.Combine(fat.Path, "ws");
        Directory.CreateDirectory(workspacePath);
        File.WriteAllText(Path.Combine(workspacePath, "Readme-Case.txt"), "hello");
        File.WriteAllText(Path.Combine(workspacePath, "other.txt"), "other");
        // The disk really is case-insensitive: the other case opens the same file.
        Assert.True(File.Exists(Path.Combine(workspacePath, "README-CASE.TXT")));
        await StartServerAsync();
        var mirror = Path.Combine(MirrorRoot, "ws");
        var agent = StartAgentProcess(
            Server!.WebSocketUri,
            [workspacePath],
            asUnprivilegedUser: false,
            new Dictionary<string, string?> { [PathComparer.IgnoreCaseVariable] = "1" }
        );
        await MirrorAssert.MirrorsAsync(workspacePath, mirror);

        await RenameAsync(workspacePath, "Readme-Case.txt", "README-CASE.txt");
        await MirrorAssert.MirrorsAsync(workspacePath, mirror);
        Assert.Equal(
            ["README-CASE.txt", "other.txt"],
            MirrorAssert.FilesOf(mirror).Keys.Order(StringComparer.Ordinal)
        );

        // And at a restart, after another case-only rename made while the agent was stopped.
        Assert.Equal(0, await agent.StopAsync());
        await RenameAsync(workspacePath, "README-CASE.txt", "readme-case.txt");
        StartAgentProcess(
            Server.WebSocketUri,
            [workspacePath],
            asUnprivilegedUser: false,
            new Dictionary<string, string?> { [PathComparer.IgnoreCaseVariable] = "1" }
        );
        await MirrorAssert.MirrorsAsync(workspacePath, mirror);
    }

    /// <summary>A case-only rename with mv (rename(2)): .NET's File.Move refuses it, the target "exists".</summary>
    private static async Task RenameAsync(string folder, string from, string to)
    {
        var info = new System.Diagnostics.ProcessStartInfo("mv")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add(Path.Combine(folder, from));
        info.ArgumentList.Add(Path.Combine(folder, to));
        var outcome = await ChildProcess.RunAsync(info, Wait.Generous);
        Assert.True(outcome.ExitCode == 0, outcome.Stderr);
    }
}
