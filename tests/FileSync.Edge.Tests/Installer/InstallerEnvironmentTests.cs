using System.Diagnostics;
using System.Xml.Linq;

namespace FileSync.Edge.Tests.Installer;

/// <summary>
/// The installers carry the proxy and CA variables of the installing shell into the service: run for
/// real on a throwaway HOME (a stand-in agent binary, nothing started), then the generated systemd unit
/// and launchd plist are read.
/// </summary>
[Trait("Category", "Integration")]
public sealed class InstallerEnvironmentTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    /// <summary>Values with what a unit or a plist must escape: %, a quote, a backslash, &amp; and &lt;.</summary>
    private static readonly Dictionary<string, string?> s_variables = new()
    {
        ["HTTPS_PROXY"] = "http://alice:p%w\"d&<x@proxy.corp:3128",
        ["http_proxy"] = "http://proxy.corp:3128",
        ["ALL_PROXY"] = "socks5://proxy.corp:1080",
        ["NO_PROXY"] = "localhost,.corp,10.0.0.0/8",
        ["SSL_CERT_FILE"] = "/etc/ssl/private ca\\bundle.pem",
        ["SSL_CERT_DIR"] = "/etc/ssl/certs",
        ["no_proxy"] = null,
    };

    private static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (
            folder is not null && !File.Exists(Path.Combine(folder.FullName, "FileSync.Edge.sln"))
        )
        {
            folder = folder.Parent;
        }
        return folder?.FullName
            ?? throw new InvalidOperationException(
                "the repository root (FileSync.Edge.sln) was not found"
            );
    }

    private async Task<string> InstallAsync(
        string script,
        string home,
        Dictionary<string, string?> extra
    )
    {
        var stub = Path.Combine(_root.Path, "filesync-edge");
        File.WriteAllText(stub, "#!/bin/sh\necho 0.1.0-stub\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(stub, (UnixFileMode)0b111_101_101);
        }
        var workspace = Directory.CreateDirectory(Path.Combine(_root.Path, "work")).FullName;
        var info = BuiltExecutable.RedirectedStartInfo("bash");
        foreach (
            var argument in new[]
            {
                Path.Combine(RepositoryRoot(), script),
                "--binary",
                stub,
                "--server",
                "ws://127.0.0.1:1/ws/v1/edge",
                "--workspace",
                workspace,
                "--no-start",
            }
        )
        {
            info.ArgumentList.Add(argument);
        }
        foreach (
            var name in s_variables.Keys.Concat([
                "XDG_CONFIG_HOME",
                "XDG_STATE_HOME",
                "https_proxy",
                "HTTP_PROXY",
                "all_proxy",
            ])
        )
        {
            info.Environment.Remove(name);
        }
        info.Environment["HOME"] = home;
        foreach (var (name, value) in s_variables.Concat(extra))
        {
            info.Environment[name] = value;
        }
        var outcome = await ChildProcess.RunAsync(info, Wait.Generous);
        output.WriteLine($"$ {script} → {outcome.ExitCode}\n{outcome.Stdout}{outcome.Stderr}");
        Assert.Equal(0, outcome.ExitCode);
        Assert.DoesNotContain("p%w", outcome.Stdout + outcome.Stderr, StringComparison.Ordinal);
        return outcome.Stdout;
    }

    [BashFact(linuxOnly: true)]
    public async Task LinuxInstaller_ProxyAndCaVariablesSet_UnitCarriesThem()
    {
        var home = Directory.CreateDirectory(Path.Combine(_root.Path, "home")).FullName;

        var stdout = await InstallAsync(
            "installer/linux/install.sh",
            home,
            new() { ["SYSTEMCTL"] = "/nonexistent", ["FILESYNC_INSTALL_DESKTOP"] = "0" }
        );

        var unit = File.ReadAllLines(
            Path.Combine(home, ".config/systemd/user/filesync-edge.service")
        );
        var environment = unit.Where(l => l.StartsWith("Environment=", StringComparison.Ordinal))
            .ToList();
        Assert.Equal(
            [
                "Environment=\"HTTPS_PROXY=http://alice:p%%w\\\"d&<x@proxy.corp:3128\"",
                "Environment=\"http_proxy=http://proxy.corp:3128\"",
                "Environment=\"ALL_PROXY=socks5://proxy.corp:1080\"",
                "Environment=\"NO_PROXY=localhost,.corp,10.0.0.0/8\"",
                "Environment=\"SSL_CERT_FILE=/etc/ssl/private ca\\\\bundle.pem\"",
                "Environment=\"SSL_CERT_DIR=/etc/ssl/certs\"",
            ],
            environment
        );
        Assert.Contains(
            "the service gets this shell's HTTPS_PROXY http_proxy ALL_PROXY NO_PROXY SSL_CERT_FILE SSL_CERT_DIR",
            stdout,
            StringComparison.Ordinal
        );
        if (BuiltExecutable.FindOnPath("systemd-analyze") is { } analyze)
        {
            var verify = BuiltExecutable.RedirectedStartInfo(analyze);
            verify.ArgumentList.Add("verify");
            verify.ArgumentList.Add(
                Path.Combine(home, ".config/systemd/user/filesync-edge.service")
            );
            verify.Environment["HOME"] = home;
            var outcome = await ChildProcess.RunAsync(verify, Wait.Generous);
            Assert.DoesNotContain("Environment", outcome.Stderr, StringComparison.Ordinal);
        }
    }

    [BashFact]
    public async Task MacInstaller_ProxyAndCaVariablesSet_PlistCarriesThem()
    {
        var home = Directory.CreateDirectory(Path.Combine(_root.Path, "home-mac")).FullName;

        await InstallAsync(
            "installer/macos/install.sh",
            home,
            new() { ["LAUNCHCTL"] = "/nonexistent", ["FILESYNC_INSTALL_ANY_OS"] = "1" }
        );

        var plist = XDocument.Load(
            Path.Combine(home, "Library/LaunchAgents/com.filesync.edge.plist")
        );
        var top = plist.Root!.Element("dict")!.Elements().ToList();
        var index = top.FindIndex(e => e.Name == "key" && e.Value == "EnvironmentVariables");
        Assert.True(index >= 0, "the plist has EnvironmentVariables");
        var pairs = top[index + 1].Elements().ToList();
        var variables = Enumerable
            .Range(0, pairs.Count / 2)
            .ToDictionary(i => pairs[2 * i].Value, i => pairs[2 * i + 1].Value);
        Assert.Equal(
            s_variables.Where(v => v.Value is not null).ToDictionary(v => v.Key, v => v.Value!),
            variables
        );
    }
}
