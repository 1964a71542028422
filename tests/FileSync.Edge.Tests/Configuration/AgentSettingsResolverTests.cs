using FileSync.Edge.Cli;
using FileSync.Edge.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Tests.Configuration;

/// <summary>
/// Arguments, environment and config file → one settings record or one error line: no process, no
/// host, only a temp folder holding the config file and the workspace folders.
/// </summary>
public sealed class AgentSettingsResolverTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly Dictionary<string, string?> _environment = [];
    private readonly string _configPath;

    public AgentSettingsResolverTests() => _configPath = _temp.Combine("config.json");

    public void Dispose() => _temp.Dispose();

    private string Folder(string name) => Directory.CreateDirectory(_temp.Combine(name)).FullName;

    private void WriteConfig(string json) => File.WriteAllText(_configPath, json);

    private AgentSettingsResolution Resolve(AgentArguments arguments) =>
        AgentSettingsResolver.Resolve(arguments, name => _environment.GetValueOrDefault(name));

    private AgentArguments Arguments(params string[] workspaces) =>
        new() { Workspaces = workspaces, ConfigFile = _configPath };

    private static AgentSettings Resolved(AgentSettingsResolution resolution)
    {
        Assert.Null(resolution.Error);
        return Assert.IsType<AgentSettings>(resolution.Settings);
    }

    private static string Failed(AgentSettingsResolution resolution)
    {
        Assert.Null(resolution.Settings);
        return Assert.IsType<string>(resolution.Error);
    }

    private static IConfiguration ConfigurationOf(AgentSettings settings)
    {
        var configuration = new ConfigurationBuilder();
        settings.AddTo(configuration);
        return configuration.Build();
    }

    [Fact]
    public void Server_CommandLineBeatsEnvironmentBeatsConfigFile()
    {
        var workspace = Folder("ws");
        WriteConfig("""{ "Uplink": { "Server": "ws://from-file/ws/v1/edge" } }""");
        Assert.Equal(
            "ws://from-file/ws/v1/edge",
            ConfigurationOf(Resolved(Resolve(Arguments(workspace))))["Uplink:Server"]
        );

        _environment[AgentSettingsResolver.ServerVariable] = "ws://from-env/ws/v1/edge";
        Assert.Equal(
            "ws://from-env/ws/v1/edge",
            ConfigurationOf(Resolved(Resolve(Arguments(workspace))))["Uplink:Server"]
        );

        var fromCommandLine = Arguments(workspace) with
        {
            Configuration = new Dictionary<string, string?>
            {
                ["Uplink:Server"] = "ws://from-cli/ws/v1/edge",
            },
        };
        Assert.Equal(
            "ws://from-cli/ws/v1/edge",
            ConfigurationOf(Resolved(Resolve(fromCommandLine)))["Uplink:Server"]
        );
    }

    [Fact]
    public void ApiKeyFile_IsTrimmedAndBeatsApiKeyAndEnvironment()
    {
        var keyFile = _temp.Combine("key.txt");
        File.WriteAllText(keyFile, "  from-file \n");
        _environment[AgentSettingsResolver.ApiKeyVariable] = "from-env";
        var arguments = Arguments(Folder("ws")) with
        {
            ApiKeyFile = keyFile,
            Configuration = new Dictionary<string, string?> { ["Uplink:ApiKey"] = "from-cli" },
        };

        var settings = Resolved(Resolve(arguments));

        Assert.Equal("from-file", ConfigurationOf(settings)["Uplink:ApiKey"]);
    }

    [Fact]
    public void ApiKeyFile_Missing_IsOneErrorNamingIt()
    {
        var keyFile = _temp.Combine("absent.txt");

        var error = Failed(Resolve(Arguments(Folder("ws")) with { ApiKeyFile = keyFile }));

        Assert.StartsWith($"cannot read --api-key-file '{keyFile}': ", error);
    }

    [Fact]
    public void Name_WithWhiteSpaceAtItsEnd_IsRefused()
    {
        var error = Failed(Resolve(Arguments(Folder("ws")) with { Name = "laptop " }));

        Assert.Equal("--name: the identity must not start or end with white space", error);
    }

    [Fact]
    public void ConfigFile_NotJson_IsOneErrorNamingTheFile()
    {
        WriteConfig("{ nope");

        var error = Failed(Resolve(Arguments(Folder("ws"))));

        Assert.StartsWith($"config file '{_configPath}': ", error);
    }

    [Fact]
    public void ConfigFile_FromEnvironment_WhenNoConfigOption()
    {
        var elsewhere = _temp.Combine("elsewhere.json");
        File.WriteAllText(elsewhere, """{ "Uplink": { "Server": "ws://elsewhere/ws/v1/edge" } }""");
        _environment["FILESYNC_CONFIG"] = elsewhere;

        var settings = Resolved(Resolve(new AgentArguments { Workspaces = [Folder("ws")] }));

        Assert.Equal(elsewhere, settings.ConfigPath);
        Assert.Equal("ws://elsewhere/ws/v1/edge", ConfigurationOf(settings)["Uplink:Server"]);
    }

    [Fact]
    public void ConfigFile_Missing_MeansDefaults()
    {
        var settings = Resolved(Resolve(Arguments(Folder("ws"))));

        Assert.True(settings.ConfigFile.IsMissing);
        Assert.Equal(_configPath, settings.ConfigPath);
        Assert.Equal(LogLevel.Information, settings.LogLevel);
    }

    [Fact]
    public void AnOptionAmongTheWorkspaces_IsAnUnknownOption()
    {
        var error = Failed(Resolve(Arguments(Folder("ws"), "--bogus")));

        Assert.Equal("unknown option '--bogus' (see --help)", error);
    }

    [Fact]
    public void NoWorkspaceAndNoneRemembered_IsAnError()
    {
        var error = Failed(Resolve(Arguments()));

        Assert.Equal("no workspace given; pass one or more folders (see --help)", error);
    }

    [Fact]
    public void NoWorkspaceButAnEmptyRememberedList_RunsWithNone()
    {
        WriteConfig("""{ "Workspaces": [] }""");

        var settings = Resolved(Resolve(Arguments()));

        Assert.Empty(settings.Workspaces);
    }

    [Fact]
    public void AWorkspaceGivenNowThatIsMissing_IsAnError()
    {
        var missing = _temp.Combine("gone");

        var error = Failed(Resolve(Arguments(missing)));

        Assert.Contains(missing, error);
    }

    [Fact]
    public void RememberedAndGivenWorkspaces_AreMergedOnce_AndAGoneRememberedOneIsAWarning()
    {
        var remembered = Folder("remembered");
        var both = Folder("both");
        var given = Folder("given");
        var gone = _temp.Combine("gone");
        WriteConfig(
            $$"""{ "Workspaces": [ {{Json(remembered)}}, {{Json(gone)}}, {{Json(both)}} ] }"""
        );

        var resolution = Resolve(Arguments(both, given, given));
        var settings = Resolved(resolution);

        Assert.Equal([remembered, both, given], settings.Workspaces);
        Assert.Equal([remembered], settings.RememberedWorkspaces);
        Assert.Equal([both, given, given], settings.CommandLineWorkspaces);
        var warning = Assert.Single(resolution.Warnings);
        Assert.StartsWith($"skipping a workspace saved in '{_configPath}': ", warning);
        Assert.Contains(gone, warning);

        static string Json(string path) => System.Text.Json.JsonSerializer.Serialize(path);
    }
}
