using System.Runtime.Versioning;
using FileSync.Edge.Tests.Infrastructure;

namespace FileSync.Edge.Tests.EndToEnd;

/// <summary>
/// A config file the agent cannot use ends the real agent process before the host starts: exit code 2
/// and one line on stderr that names the file and the problem, never a stack trace.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ConfigFileErrorTests(ITestOutputHelper output) : EndToEndTestBase(output)
{
    /// <summary>Nothing listens here; a bad config file must end the agent before it tries to connect.</summary>
    private const string UnusedServer = "ws://127.0.0.1:9/ws/v1/edge";

    [Theory]
    [InlineData("", "the file is empty")]
    [InlineData(" \n\t\r\n", "the file is empty")]
    [InlineData("// nothing but a comment\n/* and another */\n", "the file holds only comments")]
    [InlineData("[1, 2]", "the top level must be a JSON object ({ ... }), not an array")]
    [InlineData("\"text\"", "the top level must be a JSON object ({ ... }), not a string")]
    [InlineData("42", "the top level must be a JSON object ({ ... }), not a number")]
    [InlineData("null", "the top level must be a JSON object ({ ... }), not null")]
    [InlineData(
        "{\"Sync\": {\"MaxFiles\": 5,,}}",
        "not valid JSON: ',' is an invalid start of a property name"
    )]
    [InlineData("{\"Sync\": {\"MaxFiles\": 5,,}}", "(line 1, position 25)")]
    [InlineData(
        "{\n  \"Uplink\": {\n    \"Server\": ws://host\n  }\n}",
        "not valid JSON: 'w' is an invalid start of a value (line 3, position 15)"
    )]
    [InlineData(
        "{\"Workspaces\": \"/home/me/project\"}",
        "'Workspaces' must be an array of folder paths (strings), not a string"
    )]
    [InlineData(
        "{\"Workspaces\": [\"/a\", 5]}",
        "'Workspaces' must be an array of folder paths (strings), but item 2 is a number"
    )]
    [InlineData(
        "{\"workspaces\": [[\"/a\"]]}",
        "'workspaces' must be an array of folder paths (strings), but item 1 is an array"
    )]
    [InlineData(
        "{\"Uplink\": \"ws://host/ws/v1/edge\"}",
        "'Uplink' must be a JSON object ({ ... }), not a string"
    )]
    [InlineData("{\"Sync\": [1]}", "'Sync' must be a JSON object ({ ... }), not an array")]
    [InlineData("{\"Control\": 3}", "'Control' must be a JSON object ({ ... }), not a number")]
    [InlineData(
        "{\"Sync\": {\"MaxFiles\": \"abc\"}}",
        "'Sync:MaxFiles' must be a whole number (at most 2147483647), not 'abc'"
    )]
    [InlineData(
        "{\"sync\": {\"maxFiles\": \"many\"}}",
        "'Sync:MaxFiles' must be a whole number (at most 2147483647), not 'many'"
    )]
    [InlineData(
        "{\"Sync\": {\"MaxFileBytes\": 1.5}}",
        "'Sync:MaxFileBytes' must be a whole number, not '1.5'"
    )]
    [InlineData(
        "{\"Uplink\": {\"KeepAliveSeconds\": true}}",
        "'Uplink:KeepAliveSeconds' must be a whole number (at most 2147483647), not 'True'"
    )]
    [InlineData(
        "{\"Uplink\": {\"Server\": \"ws://[::1\"}}",
        "'Uplink:Server' must be a URL, not 'ws://[::1'"
    )]
    [InlineData(
        "{\"Sync\": {\"MaxFiles\": [1]}}",
        "'Sync:MaxFiles' must be a single value, not an array"
    )]
    [InlineData(
        "{\"Uplink\": {\"ApiKey\": {\"value\": \"k\"}}}",
        "'Uplink:ApiKey' must be a single value, not an object"
    )]
    [InlineData(
        "{\"Uplink\": {\"Fingerprint\": \" padded\"}}",
        "'Uplink:Fingerprint' (the identity) must not start or end with white space"
    )]
    [InlineData(
        "{\"Sync\": {\"MaxFiles\": 1, \"maxfiles\": 2}}",
        "the key 'Sync:maxfiles' appears twice (keys are case-insensitive)"
    )]
    public async Task BadConfigFile_ExitCode2AndOneLineNamingTheFileAndTheProblem(
        string content,
        string problem
    )
    {
        var config = Path.Combine(NewDirectory().Path, "config.json");
        await File.WriteAllTextAsync(config, content);

        var outcome = await RunAgentAsync(["--config", config]);

        AssertOneConfigError(outcome, config, problem);
    }

    [Fact]
    public async Task ConfigPathIsADirectory_ExitCode2()
    {
        var config = Path.Combine(NewDirectory().Path, "config.json");
        Directory.CreateDirectory(config);

        var outcome = await RunAgentAsync(["--config", config]);

        AssertOneConfigError(outcome, config, "the path is a directory, not a file");
    }

    [UnixFact("needs POSIX file modes, which Windows does not have")]
    [UnsupportedOSPlatform("windows")]
    public async Task ConfigFileUnreadable_ExitCode2()
    {
        var folder = NewDirectory().Path;
        File.SetUnixFileMode(folder, (UnixFileMode)0b111_101_101);
        var config = Path.Combine(folder, "config.json");
        await File.WriteAllTextAsync(config, "{}");
        File.SetUnixFileMode(config, UnixFileMode.None);

        // As root, modes do not stop reads: the agent runs as "nobody" then.
        var outcome = await RunAgentAsync(["--config", config], asUnprivilegedUser: true);

        AssertOneConfigError(outcome, config, "the file cannot be read: permission denied");
    }

    [UnixFact("needs POSIX file modes, which Windows does not have")]
    [UnsupportedOSPlatform("windows")]
    public async Task ConfigFileInAFolderTheAgentCannotSearch_ExitCode2NotTakenForMissing()
    {
        var folder = NewDirectory().Path;
        var config = Path.Combine(folder, "config.json");
        await File.WriteAllTextAsync(config, "{}");
        File.SetUnixFileMode(folder, UnixFileMode.None);
        try
        {
            var outcome = await RunAgentAsync(["--config", config], asUnprivilegedUser: true);

            AssertOneConfigError(outcome, config, "the file cannot be read: permission denied");
        }
        finally
        {
            File.SetUnixFileMode(
                folder,
                UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            );
        }
    }

    [Fact]
    public async Task BadConfigFileFromTheEnvironment_ExitCode2()
    {
        var config = Path.Combine(NewDirectory().Path, "from-env.json");
        await File.WriteAllTextAsync(config, "[]");

        var outcome = await RunAgentAsync(
            [],
            new Dictionary<string, string?> { ["FILESYNC_CONFIG"] = config }
        );

        AssertOneConfigError(
            outcome,
            config,
            "the top level must be a JSON object ({ ... }), not an array"
        );
    }

    [Fact]
    public async Task ConfigFileWithAByteOrderMarkCommentsAndTrailingCommas_Accepted()
    {
        var workspace = NewWorkspace();
        workspace.Write("a.txt", "a");
        await StartServerAsync();
        var config = Path.Combine(NewDirectory().Path, "config.json");
        var json = $$"""
            {
              // as the configuration provider reads it
              "Uplink": { "Server": "{{Server!.WebSocketUri}}", },
              "Sync": { "MaxFiles": 10, },
            }
            """;
        await File.WriteAllBytesAsync(
            config,
            [.. "\uFEFF"u8, .. System.Text.Encoding.UTF8.GetBytes(json)]
        );

        var agent = ChildProcess.StartBuilt(
            "filesync-edge",
            [workspace.Path, "--config", config],
            Output,
            new Dictionary<string, string?> { ["FILESYNC_STATE_DIR"] = StateDirectory }
        );
        await using (agent)
        {
            await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));
            Assert.DoesNotContain(
                agent.Lines,
                l => l.Contains("error", StringComparison.OrdinalIgnoreCase)
            );
        }
    }

    [Fact]
    public async Task MissingConfigFileGivenExplicitly_NoErrorAndCreatedWhenTheServerChoosesWorkspaces()
    {
        var workspace = NewWorkspace();
        workspace.Write("a.txt", "a");
        await StartServerAsync();
        var config = Path.Combine(NewDirectory().Path, "not-yet", "config.json");

        var agent = StartAgent(workspace, "--config", config);
        var edgeId = await WaitForEdgeIdAsync();
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));
        var path = System.Text.Json.JsonEncodedText.Encode(workspace.Path);
        await Server!.SendCommandAsync(
            edgeId,
            $$$"""{"type":"edge:config_update","payload":{"workspacepaths":["{{{path}}}"]}}"""
        );

        await Wait.UntilAsync(
            () =>
                File.Exists(config)
                && File.ReadAllText(config).Contains("Workspaces", StringComparison.Ordinal),
            Wait.Generous,
            () => $"{config} to be written"
        );
        Assert.False(agent.HasExited);
        Assert.DoesNotContain(
            agent.Lines,
            l => l.Contains("error", StringComparison.OrdinalIgnoreCase)
        );
    }

    private static void AssertOneConfigError(ProcessOutcome outcome, string config, string problem)
    {
        Assert.Equal(2, outcome.ExitCode);
        Assert.Equal("", outcome.Stdout);
        var line = Assert.Single(outcome.StderrLines);
        Assert.StartsWith(
            $"filesync-edge: error: config file '{config}': ",
            line,
            StringComparison.Ordinal
        );
        Assert.Contains(problem, line, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", outcome.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", outcome.Stderr, StringComparison.Ordinal);
    }

    private Task<ProcessOutcome> RunAgentAsync(
        IEnumerable<string> arguments,
        IDictionary<string, string?>? environment = null,
        bool asUnprivilegedUser = false
    )
    {
        var workspace = NewWorkspace();
        var values = new Dictionary<string, string?>(
            environment ?? new Dictionary<string, string?>()
        )
        {
            ["FILESYNC_STATE_DIR"] = StateDirectory,
        };
        return ChildProcess.RunBuiltAsync(
            "filesync-edge",
            [workspace.Path, "--server", UnusedServer, .. arguments],
            Wait.Generous,
            values,
            asUnprivilegedUser
        );
    }
}
