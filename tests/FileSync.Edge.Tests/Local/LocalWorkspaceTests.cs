using System.Text.Json;
using FileSync.Edge.Tests.Infrastructure;

namespace FileSync.Edge.Tests.Local;

/// <summary><c>add</c> and <c>remove</c>: the root rules of server-chosen workspaces, and the config file's list.</summary>
[Trait("Category", "Integration")]
public sealed class LocalWorkspaceTests(ITestOutputHelper output) : LocalTestBase(output)
{
    private string _allowed = "";

    /// <summary>An agent with no command-line workspace, whose config allows <see cref="_allowed"/> and the test's HOME.</summary>
    private async Task StartManagedAgentAsync()
    {
        await StartServerAsync();
        _allowed = NewDirectory().Path;
        File.WriteAllText(
            ConfigFile,
            JsonSerializer.Serialize(
                new Dictionary<string, object>
                {
                    ["Workspaces"] = Array.Empty<string>(),
                    ["Control"] = new Dictionary<string, string[]>
                    {
                        ["AllowedRoots"] = [_allowed, Home],
                    },
                }
            )
        );
        await StartLocalAgentAsync([]);
    }

    private IReadOnlyList<string> RememberedWorkspaces()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(ConfigFile));
        return
        [
            .. document
                .RootElement.GetProperty("Workspaces")
                .EnumerateArray()
                .Select(w => w.GetString()!),
        ];
    }

    [Fact]
    public async Task AddThenRemove_UnderAnAllowedRoot_SyncsAndIsRememberedThenForgotten()
    {
        await StartManagedAgentAsync();
        var project = Path.Combine(_allowed, "proj");
        Directory.CreateDirectory(Path.Combine(project, "src"));
        File.WriteAllText(Path.Combine(project, "src", "a.txt"), "added locally\n");

        var add = await CliAsync("add", project);
        Assert.Equal(0, add.ExitCode);
        Assert.Equal($"syncing {project} (remembered in the config file)", add.Stdout.Trim());
        await MirrorAssert.MirrorsAsync(project, Path.Combine(MirrorRoot, "proj"));
        Assert.Equal([project], RememberedWorkspaces());
        var (_, status) = await StatusJsonAsync();
        Assert.False(WorkspaceOf(status, "proj").GetProperty("commandLine").GetBoolean());

        var again = await CliAsync("add", project);
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("already synced", again.Stdout);

        var remove = await CliAsync("remove", "proj");
        Assert.Equal(0, remove.ExitCode);
        Assert.Equal(
            $"stopped syncing {project} and removed it from the config file",
            remove.Stdout.Trim()
        );
        Assert.Empty(RememberedWorkspaces());
        (_, status) = await StatusJsonAsync();
        Assert.Empty(status.GetProperty("workspaces").EnumerateArray());

        var unknown = await CliAsync("remove", "proj");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Single(unknown.StderrLines);
    }

    [Fact]
    public async Task Add_OutsideTheAllowedRootsOrACredentialStore_IsRefusedWithExitTwo()
    {
        await StartManagedAgentAsync();
        var outside = NewDirectory().Path; // not under any allowed root
        var ssh = Directory.CreateDirectory(Path.Combine(Home, ".ssh")).FullName;

        foreach (var refused in new[] { outside, ssh, Home, Path.Combine(_allowed, "missing") })
        {
            var outcome = await CliAsync("add", refused);
            Assert.Equal(2, outcome.ExitCode);
            var line = Assert.Single(outcome.StderrLines);
            Assert.StartsWith("filesync-edge: error: ", line);
        }
        var (_, status) = await StatusJsonAsync();
        Assert.Empty(status.GetProperty("workspaces").EnumerateArray());
        Assert.Empty(RememberedWorkspaces());
        Assert.Empty(Directory.GetFileSystemEntries(MirrorRoot));
    }

    [Fact]
    public async Task Remove_CommandLineWorkspace_StopsItForThisRunAndSaysSo()
    {
        await StartServerAsync();
        var workspace = NewWorkspace();
        workspace.Write("a.txt", "a");
        await StartLocalAgentAsync([workspace.Path]);

        var remove = await CliAsync("remove", workspace.Path);
        Assert.Equal(0, remove.ExitCode);
        Assert.Contains("until the agent restarts", remove.Stdout);
        Assert.Contains("command line", remove.Stdout);
        var (_, status) = await StatusJsonAsync();
        Assert.Empty(status.GetProperty("workspaces").EnumerateArray());
    }
}
