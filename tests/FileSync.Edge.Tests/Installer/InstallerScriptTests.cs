using System.Diagnostics;
using System.Xml.Linq;

namespace FileSync.Edge.Tests.Installer;

/// <summary>
/// The installers as far as this Linux machine can check them: every shell script passes shellcheck,
/// and the macOS launchd plist has the keys the README promises (macOS itself cannot run here).
/// </summary>
public sealed class InstallerScriptTests
{
    private static readonly string[] s_shellScripts = Directory
        .EnumerateFiles(RepositoryFiles.PathOf("installer"), "*.sh", SearchOption.AllDirectories)
        .Order(StringComparer.Ordinal)
        .ToArray();

    [ShellcheckFact]
    public async Task Shellcheck_EveryInstallerScript_NoFindings()
    {
        Assert.NotEmpty(s_shellScripts);
        var info = new ProcessStartInfo("shellcheck")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepositoryFiles.Root,
        };
        // -x follows the scripts' `source` of installer/common.sh.
        info.ArgumentList.Add("-x");
        foreach (var script in s_shellScripts)
        {
            info.ArgumentList.Add(Path.GetRelativePath(RepositoryFiles.Root, script));
        }
        var outcome = await FileSync.Testing.ChildProcess.RunAsync(info, Wait.Generous);
        Assert.True(
            outcome.ExitCode == 0,
            $"shellcheck found problems:\n{outcome.Stdout}{outcome.Stderr}"
        );
    }

    [Fact]
    public void LaunchdPlist_Keys_AsTheReadmePromises()
    {
        var plist = XDocument.Load(
            RepositoryFiles.PathOf("installer/macos/com.filesync.edge.plist")
        );
        var keys = TopLevelDictionary(plist);

        Assert.Equal("com.filesync.edge", keys["Label"].Value);
        // Starts at login, restarted after a failure only (not after a clean stop), at most once a minute.
        Assert.Equal("true", keys["RunAtLoad"].Name.LocalName);
        var keepAlive = Dictionary(keys["KeepAlive"]);
        Assert.Equal("false", keepAlive["SuccessfulExit"].Name.LocalName);
        Assert.Equal("60", keys["ThrottleInterval"].Value);
        // Its log, where the README says: stdout and stderr into one file the installer names.
        Assert.Equal("@LOG@", keys["StandardOutPath"].Value);
        Assert.Equal("@LOG@", keys["StandardErrorPath"].Value);
        var arguments = keys["ProgramArguments"].Elements("string").Select(e => e.Value).ToList();
        Assert.Equal("/bin/sh", arguments[0]);
        Assert.Equal(["@BINARY@", "@CONFIG@"], arguments[^2..]);
        Assert.Contains("--config", arguments[2], StringComparison.Ordinal);
    }

    [Fact]
    public void LaunchdPlist_EveryPlaceholder_IsFilledByTheInstaller()
    {
        var plist = File.ReadAllText(
            RepositoryFiles.PathOf("installer/macos/com.filesync.edge.plist")
        );
        var installer = File.ReadAllText(RepositoryFiles.PathOf("installer/macos/install.sh"));
        var placeholders = System
            .Text.RegularExpressions.Regex.Matches(plist, "@[A-Z]+@")
            .Select(m => m.Value)
            .Distinct()
            .ToList();
        Assert.Equal(["@BINARY@", "@CONFIG@", "@LOG@"], placeholders.Order(StringComparer.Ordinal));
        foreach (var placeholder in placeholders)
        {
            Assert.Contains($"//{placeholder}/", installer, StringComparison.Ordinal);
        }
    }

    [PosixShellTheory]
    [InlineData(0, 0)]
    [InlineData(1, 1)]
    [InlineData(2, 0)]
    [InlineData(3, 0)]
    [InlineData(4, 0)]
    [InlineData(5, 5)]
    public async Task LaunchdPlist_Wrapper_TurnsExitsThatNeedAPersonIntoACleanExit(
        int agentExit,
        int expected
    )
    {
        var plist = XDocument.Load(
            RepositoryFiles.PathOf("installer/macos/com.filesync.edge.plist")
        );
        var arguments = TopLevelDictionary(plist)["ProgramArguments"]
            .Elements("string")
            .Select(e => e.Value)
            .ToList();
        using var scratch = new TempDirectory();
        // A stand-in agent that records its arguments and exits with the given code.
        var agent = scratch.Write(
            "agent.sh",
            $"#!/bin/sh\necho \"$@\" > '{scratch.Path}/args'\nexit {agentExit}\n"
        );
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(agent, (UnixFileMode)0b111_101_101);
        }
        var info = new ProcessStartInfo(arguments[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add(arguments[1]);
        info.ArgumentList.Add(arguments[2]);
        info.ArgumentList.Add(agent);
        info.ArgumentList.Add("/path/to/config.json");

        var outcome = await FileSync.Testing.ChildProcess.RunAsync(info, Wait.Generous);

        Assert.Equal(expected, outcome.ExitCode);
        Assert.Equal(
            "--config /path/to/config.json",
            File.ReadAllText(Path.Combine(scratch.Path, "args")).Trim()
        );
    }

    /// <summary>The plist's top-level dict: key name → the value element after it.</summary>
    private static Dictionary<string, XElement> TopLevelDictionary(XDocument plist) =>
        Dictionary(plist.Root!.Element("dict")!);

    private static Dictionary<string, XElement> Dictionary(XElement dict)
    {
        var result = new Dictionary<string, XElement>(StringComparer.Ordinal);
        var elements = dict.Elements().ToList();
        for (var i = 0; i + 1 < elements.Count; i += 2)
        {
            Assert.Equal("key", elements[i].Name.LocalName);
            result[elements[i].Value] = elements[i + 1];
        }
        return result;
    }
}
