using System.Diagnostics;
using System.Net.Http.Json;
using FileSync.Edge.Tests.Infrastructure;
using FileSync.Server;
using Xunit.Abstractions;

namespace FileSync.Edge.Tests.Server;

/// <summary>Runs the built <c>filesync-server</c> as a real process.</summary>
[Trait("Category", "Integration")]
public sealed class CommandLineTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan s_processTimeout = TimeSpan.FromSeconds(30);

    private readonly ServerSandbox _sandbox = new();

    [Theory]
    [InlineData("")]
    [InlineData("--port 0")]
    [InlineData("--mirror {mirror}")]
    [InlineData("--port 70000 --mirror {mirror}")]
    [InlineData("--port -1 --mirror {mirror}")]
    [InlineData("--port abc --mirror {mirror}")]
    [InlineData("--port 0 --mirror {file}")]
    [InlineData("--port 0 --mirror {mirror} --api-key")]
    [InlineData("--port 0 --mirror {mirror} --bogus")]
    [InlineData("--port 0 --mirror {mirror} extra")]
    public async Task Main_BadArguments_ExitsWith2AndOneLineOnStderr(string arguments)
    {
        var file = Path.Combine(_sandbox.Root, "a-file");
        await File.WriteAllTextAsync(file, "x");
        var args = arguments
            .Replace("{mirror}", _sandbox.MirrorDirectory, StringComparison.Ordinal)
            .Replace("{file}", file, StringComparison.Ordinal)
            .Split(' ', StringSplitOptions.RemoveEmptyEntries);

        var (exitCode, stdout, stderr) = await RunToEndAsync(args);

        Assert.Equal(2, exitCode);
        Assert.Equal("", stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("filesync-server: ", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Main_Help_ExitsZeroAndDescribesOptions()
    {
        var (exitCode, stdout, _) = await RunToEndAsync(["--help"]);

        Assert.Equal(0, exitCode);
        Assert.Contains("--port", stdout, StringComparison.Ordinal);
        Assert.Contains("--mirror", stdout, StringComparison.Ordinal);
        Assert.Contains("--api-key", stdout, StringComparison.Ordinal);
        Assert.Contains("--legacy", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Main_ValidArguments_PrintsListeningLineServesAndExitsZeroOnSigterm()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // SIGTERM is POSIX.
        }
        var mirror = Path.Combine(_sandbox.Root, "created-on-start");
        using var process = Start([
            "--port",
            "0",
            "--mirror",
            mirror,
            "--api-key",
            "k3y-not-logged",
        ]);
        var stderr = process.StandardError.ReadToEndAsync();

        var line = await process.StandardOutput.ReadLineAsync().WaitAsync(s_processTimeout);
        Assert.NotNull(line);
        Assert.Matches("^listening on http://127\\.0\\.0\\.1:[0-9]+$", line);
        var baseAddress = new Uri(line["listening on ".Length..] + "/");
        using (var http = new HttpClient { BaseAddress = baseAddress })
        {
            var status = await http.GetFromJsonAsync(
                "api/status",
                ServerJsonContext.Default.ServerStatus
            );
            Assert.NotNull(status);
            Assert.Empty(status.Edges);
        }
        Assert.True(Directory.Exists(mirror));

        using (
            var kill = Process.Start(
                "kill",
                ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]
            )
        )
        {
            await kill.WaitForExitAsync().WaitAsync(s_processTimeout);
        }
        await process.WaitForExitAsync().WaitAsync(s_processTimeout);
        var rest = await process.StandardOutput.ReadToEndAsync();
        var log = await stderr;
        output.WriteLine(log);

        Assert.Equal(0, process.ExitCode);
        Assert.Equal("", rest);
        Assert.DoesNotContain("k3y-not-logged", log, StringComparison.Ordinal);
    }

    public void Dispose() => _sandbox.Dispose();

    private static Process Start(IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(DotNetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(ChildProcess.BuiltPath("filesync-server"));
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        return Process.Start(info)
            ?? throw new InvalidOperationException("could not start filesync-server");
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunToEndAsync(
        string[] arguments
    )
    {
        using var process = Start(arguments);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(s_processTimeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    private static string DotNetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host
        : Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet"
            ? self
        : "dotnet";
}
