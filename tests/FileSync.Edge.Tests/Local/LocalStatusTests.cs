using System.Text.Json;
using FileSync.Edge.Tests.Infrastructure;

namespace FileSync.Edge.Tests.Local;

/// <summary><c>filesync-edge status</c> against a real agent and server: the fields, the table and the exit codes.</summary>
[Trait("Category", "Integration")]
public sealed class LocalStatusTests(ITestOutputHelper output) : LocalTestBase(output)
{
    [Fact]
    public async Task Status_ConnectedAndSynced_ShowsFieldsAndExitsZero()
    {
        await StartServerAsync();
        var workspace = NewWorkspace();
        workspace.Write("src/main.c", "int main(void) { return 0; }\n");
        workspace.Write("README.md", "# readme\n");
        workspace.Write("big.txt", new string('x', 200_000)); // over the 100 KB limit: skipped
        await StartLocalAgentAsync([workspace.Path]);
        await MirrorAssert.MirrorsAsync(
            workspace.Path,
            MirrorOf(workspace),
            excluded: p => p == "big.txt"
        );

        JsonElement status = default;
        var exitCode = -1;
        // The last batch's bookkeeping (pending, last sync) settles just after the mirror does.
        await Wait.UntilAsync(
            async () =>
            {
                (exitCode, status) = await StatusJsonAsync();
                var w = WorkspaceOf(status, Path.GetFileName(workspace.Path));
                return exitCode == 0
                    && w.GetProperty("state").GetString() == "watching"
                    && w.GetProperty("files").GetInt32() == 2
                    && w.TryGetProperty("lastSync", out _);
            },
            Wait.Generous,
            () => $"status to show the synced workspace (exit {exitCode}): {status}"
        );

        var connection = status.GetProperty("connection");
        Assert.Equal("connected", connection.GetProperty("state").GetString());
        Assert.Equal(
            Server!.WebSocketUri.GetLeftPart(UriPartial.Path),
            connection.GetProperty("server").GetString()
        );
        Assert.False(string.IsNullOrEmpty(connection.GetProperty("edgeId").GetString()));
        Assert.True(connection.TryGetProperty("since", out _));
        Assert.Empty(status.GetProperty("attention").EnumerateArray());

        var ws = WorkspaceOf(status, Path.GetFileName(workspace.Path));
        Assert.Equal(workspace.Path, ws.GetProperty("path").GetString());
        Assert.Equal(
            "int main(void) { return 0; }\n".Length + "# readme\n".Length,
            ws.GetProperty("bytes").GetInt64()
        );
        Assert.Equal(0, ws.GetProperty("pending").GetInt32());
        Assert.Equal(1, ws.GetProperty("skipped").GetInt32());
        var skipped = Assert.Single(ws.GetProperty("skippedFiles").EnumerateArray());
        Assert.Equal("big.txt", skipped.GetProperty("path").GetString());
        Assert.Equal("too_large", skipped.GetProperty("reason").GetString());
        Assert.Equal(0, ws.GetProperty("errors").GetInt32());
        Assert.True(ws.GetProperty("commandLine").GetBoolean());

        var table = await CliAsync("status");
        Assert.Equal(0, table.ExitCode);
        Assert.Empty(table.Stderr);
        Assert.Contains(
            "Connection:  connected to " + Server.WebSocketUri.GetLeftPart(UriPartial.Path),
            table.Stdout
        );
        Assert.Matches(
            @"WORKSPACE\s+STATE\s+FILES\s+SIZE\s+PENDING\s+SKIPPED\s+ERRORS\s+LAST SYNC",
            table.Stdout
        );
        Assert.Matches(Path.GetFileName(workspace.Path) + @"\s+watching\s+2\s+", table.Stdout);
        Assert.Contains("skipped: big.txt (too_large)", table.Stdout);
        Assert.DoesNotContain("Needs attention", table.Stdout);
    }

    [Fact]
    public async Task Status_NoAgentRunning_ExitsFiveWithOneLine()
    {
        var plain = await CliAsync("status");
        Assert.Equal(5, plain.ExitCode);
        Assert.Empty(plain.Stdout);
        var line = Assert.Single(plain.StderrLines);
        Assert.StartsWith("filesync-edge: no agent is running for the config file", line);
        Assert.Contains(ConfigFile, line);

        var json = await CliAsync("status", "--json");
        Assert.Equal(5, json.ExitCode);
        using var document = JsonDocument.Parse(json.Stdout);
        Assert.False(document.RootElement.GetProperty("ok").GetBoolean());
        Assert.Equal("no_agent", document.RootElement.GetProperty("code").GetString());

        foreach (var command in new[] { "pause", "resume", "resync", "stop", "logs" })
        {
            Assert.Equal(5, (await CliAsync(command)).ExitCode);
        }
    }

    [Fact]
    public async Task Status_ServerUnreachable_NeedsAttentionWithLastError()
    {
        // A port nobody listens on: the agent keeps reconnecting.
        var port = LoopbackPort.Unused();
        var workspace = NewWorkspace();
        workspace.Write("a.txt", "a");
        await StartLocalAgentAsync([workspace.Path], new Uri($"ws://127.0.0.1:{port}/ws/v1/edge"));

        JsonElement status = default;
        var exitCode = -1;
        await Wait.UntilAsync(
            async () =>
            {
                (exitCode, status) = await StatusJsonAsync();
                return status.GetProperty("connection").TryGetProperty("lastError", out _);
            },
            Wait.Generous,
            () => $"a connection error in status: {status}"
        );
        Assert.Equal(1, exitCode);
        Assert.NotEqual(
            "connected",
            status.GetProperty("connection").GetProperty("state").GetString()
        );
        Assert.Contains(
            status.GetProperty("attention").EnumerateArray(),
            a => a.GetString()!.StartsWith("not connected to ", StringComparison.Ordinal)
        );
        var ws = WorkspaceOf(status, Path.GetFileName(workspace.Path));
        Assert.Equal("waiting", ws.GetProperty("state").GetString());

        var table = await CliAsync("status");
        Assert.Equal(1, table.ExitCode);
        Assert.Contains("Last error:", table.Stdout);
        Assert.Contains("Needs attention:", table.Stdout);
    }
}
