using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Text;
using System.Text.Json;
using FileSync.Edge.Local;
using FileSync.Edge.Tests.Infrastructure;

namespace FileSync.Edge.Tests.Local;

/// <summary>The endpoint itself: one agent per config, the socket's modes, stale sockets, hostile clients.</summary>
[Trait("Category", "Integration")]
public sealed class LocalEndpointTests(ITestOutputHelper output) : LocalTestBase(output)
{
    [Fact]
    public async Task SecondAgent_SameConfig_ExitsFourAndTheFirstKeepsRunning()
    {
        await StartServerAsync();
        var workspace = NewWorkspace();
        workspace.Write("a.txt", "a");
        var first = await StartLocalAgentAsync([workspace.Path]);

        var other = NewWorkspace();
        var second = StartAgentProcess(
            Server!.WebSocketUri,
            [other.Path],
            asUnprivilegedUser: false,
            CliEnvironment(),
            "--config",
            ConfigFile
        );
        Assert.Equal(4, await second.WaitForExitAsync());
        var line = Assert.Single(second.Lines);
        Assert.StartsWith(
            $"filesync-edge: error: another agent is already running with the config file '{ConfigFile}' (pid {first.Id})",
            line
        );
        Assert.False(first.HasExited);
        Assert.Contains((await CliAsync("status")).ExitCode, new[] { 0, 1 });

        // Another config file is another agent.
        var otherConfig = Path.Combine(NewDirectory().Path, "other.json");
        var third = StartAgentProcess(
            Server.WebSocketUri,
            [other.Path],
            asUnprivilegedUser: false,
            CliEnvironment(),
            "--config",
            otherConfig
        );
        await Wait.UntilAsync(
            () =>
                File.Exists(
                    FileSync.Edge.Local.LocalEndpointAddress.For(otherConfig, RuntimeDirectory).Path
                ),
            Wait.Generous,
            () => "the second config's socket"
        );
        Assert.False(third.HasExited);
    }

    [UnixFact("the local endpoint is a named pipe on Windows, not a socket file with modes")]
    [UnsupportedOSPlatform("windows")]
    public async Task Socket_IsOwnerOnlyInAnOwnerOnlyFolder()
    {
        await StartServerAsync();
        var workspace = NewWorkspace();
        await StartLocalAgentAsync([workspace.Path]);

        Assert.Equal(
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute,
            File.GetUnixFileMode(Address.Directory!)
        );
        Assert.Equal(
            UnixFileMode.UserRead | UnixFileMode.UserWrite,
            File.GetUnixFileMode(Address.Path)
        );
        Assert.Equal(Path.Combine(RuntimeDirectory, "filesync-edge"), Address.Directory);
        Assert.Matches(@"^agent-[0-9a-f]{16}\.sock$", Path.GetFileName(Address.Path));
    }

    [UnixFact("the local endpoint is a named pipe on Windows: no socket file is left behind")]
    public async Task StaleSocket_OfAKilledAgent_IsTakenOverByTheNext()
    {
        await StartServerAsync();
        var workspace = NewWorkspace();
        workspace.Write("a.txt", "a");
        var killed = await StartLocalAgentAsync([workspace.Path]);
        await killed.DisposeAsync(); // SIGKILL: no chance to remove its socket
        Assert.True(File.Exists(Address.Path), "a killed agent leaves its socket file behind");
        var nobody = await CliAsync("status");
        Assert.Equal(5, nobody.ExitCode);
        Assert.Contains("stale socket", Assert.Single(nobody.StderrLines));

        var agent = await StartLocalAgentAsync([workspace.Path]);
        Assert.DoesNotContain(agent.Lines, l => l.Contains("warning", StringComparison.Ordinal));
        workspace.Write("b.txt", "b");
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));
        Assert.Contains((await CliAsync("status")).ExitCode, new[] { 0, 1 });
    }

    [UnixFact(
        "writes raw lines to the agent's Unix socket; on Windows the endpoint is a named pipe"
    )]
    public async Task HostileRequests_AreAnsweredWithErrors_AndTheAgentKeepsServing()
    {
        await StartServerAsync();
        var workspace = NewWorkspace();
        workspace.Write("a.txt", "a");
        var agent = await StartLocalAgentAsync([workspace.Path]);

        using (var socket = await ConnectRawAsync())
        await using (var stream = new NetworkStream(socket))
        using (var reader = new StreamReader(stream, Encoding.UTF8))
        {
            async Task<JsonElement> Send(byte[] line)
            {
                await stream.WriteAsync(line);
                await stream.WriteAsync("\n"u8.ToArray());
                var answer = await reader.ReadLineAsync().OrTimeout(Wait.Generous, "an answer");
                Assert.NotNull(answer);
                return JsonDocument.Parse(answer).RootElement.Clone();
            }
            Task<JsonElement> SendText(string text) => Send(Encoding.UTF8.GetBytes(text));

            foreach (
                var (request, code) in new[]
                {
                    ("not json at all", "malformed_request"),
                    ("[1,2,3]", "malformed_request"),
                    ("{\"v\":1}", "malformed_request"),
                    ("{\"v\":1,\"command\":42}", "malformed_request"),
                    ("{\"v\":2,\"command\":\"status\"}", "unsupported_version"),
                    ("{\"v\":1,\"command\":\"frobnicate\"}", "unknown_command"),
                    (
                        "{\"v\":1,\"command\":\"pause\",\"workspace\":\"/nope\"}",
                        "unknown_workspace"
                    ),
                    ("{\"v\":1,\"command\":\"add\",\"workspace\":\"/\"}", "forbidden_path"),
                    ("{\"v\":1,\"command\":\"add\"}", "unknown_workspace"),
                }
            )
            {
                var answer = await SendText(request);
                Assert.False(answer.GetProperty("ok").GetBoolean(), request);
                Assert.Equal(code, answer.GetProperty("code").GetString());
                Assert.DoesNotContain('\n', answer.GetProperty("error").GetString()!);
            }
            var binary = await Send([0xff, 0xfe, 0x00, 0x7b, 0xc3]);
            Assert.Equal("malformed_request", binary.GetProperty("code").GetString());

            // The same connection still serves a good request.
            var status = await SendText("{\"v\":1,\"command\":\"status\"}");
            Assert.True(status.GetProperty("ok").GetBoolean());

            // An over-long line is refused and the connection closed.
            var tooLong = await SendText(
                "{\"v\":1,\"command\":\"" + new string('x', 64 * 1024) + "\"}"
            );
            Assert.Equal("request_too_large", tooLong.GetProperty("code").GetString());
            Assert.Null(await reader.ReadLineAsync().OrTimeout(Wait.Generous, "the close"));
        }

        // More connections than served at once: the extra ones are told "busy"; none of it hurts the agent.
        // Which ones is the agent's business (the connection closed above may still count for a moment),
        // but with all 20 held open at most 16 are served, so at least 4 are told "busy".
        var idle = new List<Socket>();
        try
        {
            for (var i = 0; i < 20; i++)
            {
                idle.Add(await ConnectRawAsync());
            }
            var answers = idle.Select(socket =>
                    new StreamReader(new NetworkStream(socket), Encoding.UTF8).ReadLineAsync()
                )
                .ToList();
            int Busy() =>
                answers.Count(a =>
                    a.IsCompletedSuccessfully
                    && a.Result?.Contains("\"busy\"", StringComparison.Ordinal) == true
                );
            await Wait.UntilAsync(
                () => Busy() >= 20 - LocalProtocol.MaxConnections,
                Wait.Generous,
                () =>
                    $"{20 - LocalProtocol.MaxConnections} of 20 connections told 'busy', {Busy()} were"
            );
        }
        finally
        {
            foreach (var socket in idle)
            {
                socket.Dispose();
            }
        }
        await Wait.UntilAsync(
            async () => (await CliAsync("status")).ExitCode is 0 or 1,
            Wait.Generous,
            () => "status to answer again once the idle connections are gone"
        );
        Assert.False(agent.HasExited);
        workspace.Write("b.txt", "still syncing");
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));
    }

    private async Task<Socket> ConnectRawAsync()
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(Address.Path));
        return socket;
    }

    [Theory]
    [InlineData("status")]
    [InlineData("pause")]
    public async Task WorkspaceNamedLikeACommand_BeforeIt_IsRefusedWithAHint(string command)
    {
        var outcome = await CliAsync(NewWorkspace().Path, command);
        Assert.Equal(2, outcome.ExitCode);
        var line = Assert.Single(outcome.StderrLines);
        Assert.Contains($"./{command}", line);
    }

    [Fact]
    public async Task AgentOption_WithALocalCommand_IsRefused()
    {
        var before = await CliAsync("--server", "ws://127.0.0.1:1/ws/v1/edge", "status");
        Assert.Equal(2, before.ExitCode);
        Assert.Contains(
            "'--server' is an option of the agent, not of 'status'",
            Assert.Single(before.StderrLines)
        );
        var after = await CliAsync("status", "--server", "ws://127.0.0.1:1/ws/v1/edge");
        Assert.Equal(2, after.ExitCode);
        Assert.Contains("'--server'", Assert.Single(after.StderrLines));
        var missing = await CliAsync("add");
        Assert.Equal(2, missing.ExitCode);
        Assert.Single(missing.StderrLines);
    }

    [Fact]
    public async Task FolderNamedStatus_WrittenAsAPath_IsAWorkspace()
    {
        await StartServerAsync();
        var parent = NewDirectory();
        var folder = Directory.CreateDirectory(Path.Combine(parent.Path, "status")).FullName;
        File.WriteAllText(Path.Combine(folder, "a.txt"), "a folder named status");
        await StartLocalAgentAsync([folder]);
        await MirrorAssert.MirrorsAsync(folder, Path.Combine(MirrorRoot, "status"));
    }
}
