using System.Net.Http.Json;
using FileSync.Edge.Tests.Infrastructure;
using FileSync.Protocol;
using FileSync.Server;
using FileSync.Server.Edges;
using Xunit.Abstractions;

namespace FileSync.Edge.Tests.Server;

/// <summary>Runs the built <c>filesync-server</c> as a real process.</summary>
[Trait("Category", "Integration")]
public sealed class CommandLineTests(ITestOutputHelper output) : IDisposable
{
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
        foreach (var capabilitySwitch in CapabilityNegotiation.Switches)
        {
            Assert.Contains(capabilitySwitch.Flag, stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Main_CapabilitySwitches_ThoseCapabilitiesAreNotAnnounced()
    {
        await using var process = ChildProcess.StartBuilt(
            "filesync-server",
            [
                "--port",
                "0",
                "--mirror",
                _sandbox.MirrorDirectory,
                "--no-msgpack",
                "--no-xxh128",
                "--no-manifest-tree",
            ],
            output
        );
        var listening = await process.WaitForLineAsync(
            l => l.StartsWith("listening on ", StringComparison.Ordinal),
            deadline: Wait.Generous
        );
        var edgeUri = new Uri(
            listening
                .Text["listening on ".Length..]
                .Replace("http://", "ws://", StringComparison.Ordinal) + EdgeEndpoint.Path
        );
        using var socket = RawEdgeClient.CreateSocket(apiKey: null);
        socket.Options.SetRequestHeader(
            EdgeCapabilities.HeaderName,
            Capabilities.MessagePack + "," + Capabilities.XxHash128
        );
        using var cancel = new CancellationTokenSource(Wait.Generous);
        await socket.ConnectAsync(edgeUri, cancel.Token);

        var hello = await RawEdgeClient.ReceiveFrameAsync(socket);

        Assert.Equal(MessageTypes.ConnectedEdge, hello.Message.Type);
        Assert.Equal(
            [Capabilities.Manifest, Capabilities.DoneAck],
            hello.Payload.GetProperty("capabilities").EnumerateArray().Select(c => c.GetString())
        );
    }

    [UnixFact("stops the server with SIGTERM, a POSIX signal")]
    public async Task Main_ValidArguments_PrintsListeningLineServesAndExitsZeroOnSigterm()
    {
        var mirror = Path.Combine(_sandbox.Root, "created-on-start");
        await using var process = ChildProcess.StartBuilt(
            "filesync-server",
            ["--port", "0", "--mirror", mirror, "--api-key", "k3y-not-logged"],
            output
        );

        var listening = await process.WaitForLineAsync(
            l => l.StartsWith("listening on ", StringComparison.Ordinal),
            deadline: Wait.Generous
        );
        Assert.False(listening.FromStderr);
        Assert.Matches("^listening on http://127\\.0\\.0\\.1:[0-9]+$", listening.Text);
        var baseAddress = new Uri(listening.Text["listening on ".Length..] + "/");
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

        process.Terminate();
        Assert.Equal(0, await process.WaitForExitAsync(Wait.Generous));
        var lines = process.LinesFrom();
        Assert.Equal([listening], lines.Where(l => !l.FromStderr));
        Assert.DoesNotContain(
            lines,
            l => l.Text.Contains("k3y-not-logged", StringComparison.Ordinal)
        );
    }

    public void Dispose() => _sandbox.Dispose();

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunToEndAsync(
        string[] arguments
    )
    {
        var outcome = await ChildProcess.RunBuiltAsync("filesync-server", arguments, Wait.Generous);
        return (outcome.ExitCode, outcome.Stdout, outcome.Stderr);
    }
}
