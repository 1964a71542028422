using System.Text.Json;
using FileSync.Edge.Configuration;
using FileSync.Edge.Tests.Infrastructure;

namespace FileSync.Edge.Tests.Control;

/// <summary>Where the server's workspace choice is remembered: the agent's config file, rewritten atomically.</summary>
public sealed class ConfigFileWorkspaceStoreTests : IDisposable
{
    private readonly TempDirectory _scratch = new();

    public void Dispose() => _scratch.Dispose();

    private string ConfigPath => Path.Combine(_scratch.Path, "filesync-edge", "config.json");

    [Fact]
    public void Save_NoFileNoFolder_CreatesBothPrivately()
    {
        var store = new ConfigFileWorkspaceStore(ConfigPath);

        store.Save(["/w/one", "/w/ünï"]);

        Assert.Equal(["/w/one", "/w/ünï"], store.Load());
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(
                UnixFileMode.UserRead | UnixFileMode.UserWrite,
                File.GetUnixFileMode(ConfigPath)
            );
            Assert.Equal(
                UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute,
                File.GetUnixFileMode(Path.GetDirectoryName(ConfigPath)!)
            );
        }
    }

    [Fact]
    public void Save_ExistingKeysAndCaseOfTheKey_KeptAndOnlyTheListReplaced()
    {
        _scratch.Write(
            "filesync-edge/config.json",
            """
            {
              // comments and trailing commas are accepted on read
              "Uplink": { "Server": "wss://example/ws", "ApiKey": "k" },
              "workspaces": ["/old"],
              "Sync": { "MaxFiles": 5000, },
            }
            """
        );
        var store = new ConfigFileWorkspaceStore(ConfigPath);

        store.Save(["/new/a", "/new/b"]);

        using var document = JsonDocument.Parse(File.ReadAllText(ConfigPath));
        var root = document.RootElement;
        Assert.Equal(["Uplink", "workspaces", "Sync"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("k", root.GetProperty("Uplink").GetProperty("ApiKey").GetString());
        Assert.Equal(5000, root.GetProperty("Sync").GetProperty("MaxFiles").GetInt32());
        Assert.Equal(
            ["/new/a", "/new/b"],
            root.GetProperty("workspaces").EnumerateArray().Select(e => e.GetString())
        );
        Assert.Equal(["/new/a", "/new/b"], store.Load());
    }

    [Fact]
    public void Save_Always_LeavesNoTemporaryFileAndReplacesTheInode()
    {
        var store = new ConfigFileWorkspaceStore(ConfigPath);
        store.Save(["/a"]);
        using var reader = new FileStream(
            ConfigPath,
            FileMode.Open,
            FileAccess.Read,
            FileShare.ReadWrite | FileShare.Delete
        );

        store.Save(["/b"]);

        // A reader holding the old file still sees the old, complete content: the new one was renamed over it.
        Assert.Contains("/a", new StreamReader(reader).ReadToEnd());
        Assert.Equal(["/b"], store.Load());
        Assert.Equal(
            [Path.GetFileName(ConfigPath)],
            Directory.GetFiles(Path.GetDirectoryName(ConfigPath)!).Select(Path.GetFileName)
        );
    }

    [UnixFact("creating symbolic links needs extra privileges on Windows")]
    public void Save_ConfigFileIsASymbolicLink_WritesThroughTheLink()
    {
        var real = _scratch.Write("dotfiles/filesync.json", """{"Custom": 1}""");
        Directory.CreateDirectory(Path.GetDirectoryName(ConfigPath)!);
        File.CreateSymbolicLink(ConfigPath, real);
        var store = new ConfigFileWorkspaceStore(ConfigPath);

        store.Save(["/w"]);

        Assert.NotNull(new FileInfo(ConfigPath).LinkTarget);
        Assert.Contains("\"Custom\": 1", File.ReadAllText(real));
        Assert.Equal(["/w"], AgentConfigFile.ReadWorkspaces(real));
    }

    [Fact]
    public void Save_FileIsNotAJsonObject_ThrowsAndLeavesItAlone()
    {
        _scratch.Write("filesync-edge/config.json", "[1, 2]");
        var store = new ConfigFileWorkspaceStore(ConfigPath);

        Assert.Throws<JsonException>(() => store.Save(["/w"]));
        Assert.Equal("[1, 2]", File.ReadAllText(ConfigPath));
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("", null)]
    [InlineData("""{"Uplink": {}}""", null)]
    [InlineData("""{"Workspaces": []}""", 0)]
    [InlineData("""{"Workspaces": ["/a", 5, null, "/b"]}""", 2)]
    [InlineData("""{"Workspaces": "not a list"}""", 0)]
    public void ReadWorkspaces_MissingKeyVersusEmptyList_Distinguished(string? content, int? count)
    {
        if (content is not null)
        {
            _scratch.Write("filesync-edge/config.json", content);
        }

        Assert.Equal(count, AgentConfigFile.ReadWorkspaces(ConfigPath)?.Count);
    }
}
