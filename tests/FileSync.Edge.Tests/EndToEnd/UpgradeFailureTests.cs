using System.Net;
using System.Net.Sockets;
using FileSync.Edge.Tests.Infrastructure;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace FileSync.Edge.Tests.EndToEnd;

/// <summary>
/// HTTP-level failures of the WebSocket upgrade, which the real server cannot produce, simulated with
/// WireMock.Net in front of a real agent process: what it exits with, what it says, and when it tries again.
/// </summary>
[Trait("Category", "Integration")]
public sealed class UpgradeFailureTests(ITestOutputHelper output)
    : EndToEndTestBase(output),
        IDisposable
{
    private readonly WireMockServer _mock = WireMockServer.Start();

    public void Dispose() => _mock.Stop();

    private Uri EdgeUri => new($"ws://127.0.0.1:{_mock.Ports[0]}/ws/v1/edge");

    private void Answer(int status, string? retryAfter = null)
    {
        var response = Response.Create().WithStatusCode(status);
        if (retryAfter is not null)
        {
            response = response.WithHeader("Retry-After", retryAfter);
        }
        _mock.Given(Request.Create().WithPath("/ws/v1/edge").UsingGet()).RespondWith(response);
    }

    private List<DateTime> Attempts =>
        [.. _mock.LogEntries.Select(e => e.RequestMessage.DateTime).Order()];

    private async Task<List<DateTime>> WaitForAttemptsAsync(int count)
    {
        await Wait.UntilAsync(
            () => Attempts.Count >= count,
            Wait.Long,
            () => $"{count} upgrade attempts, saw {Attempts.Count}"
        );
        return Attempts;
    }

    private ChildProcess StartAgent(string? configFile = null)
    {
        var workspace = NewWorkspace();
        workspace.Write("a.txt", "a");
        return StartAgentVia(
            EdgeUri,
            [workspace.Path],
            [
                "--api-key",
                "some-key",
                .. configFile is null ? (string[])[] : ["--config", configFile],
            ]
        );
    }

    [Theory]
    [InlineData(401)]
    [InlineData(403)]
    public async Task Upgrade401Or403OfAGateway_RetriedAfterALongPauseAndNamed_NotExit3(int status)
    {
        // A bare 401/403 (no FileSync challenge) comes from something in front of the server.
        _mock
            .Given(Request.Create().WithPath("/ws/v1/edge").UsingGet())
            .RespondWith(
                Response.Create().WithStatusCode(status).WithHeader("Server", "test-gateway/1.0")
            );

        var agent = StartAgent(ShortLongRetryConfig());

        var attempts = await WaitForAttemptsAsync(2);
        Assert.False(agent.HasExited);
        var line = await agent.WaitForLineAsync($"HTTP {status}");
        Assert.Contains("from test-gateway/1.0", line.Text);
        Assert.Contains("not the sync server's key check", line.Text);
        Assert.Contains("warn:", agent.Lines.First(l => l.Contains($"HTTP {status}")));
        Assert.True(
            attempts[1] - attempts[0] >= TimeSpan.FromSeconds(0.95),
            $"the long pause (1 s here) between attempts: {(attempts[1] - attempts[0]).TotalSeconds:F2} s"
        );
        Assert.DoesNotContain("some-key", agent.Output);
    }

    [Fact]
    public async Task Upgrade401WithTheServersChallenge_ExitsWithCode3AndOneLine()
    {
        _mock
            .Given(Request.Create().WithPath("/ws/v1/edge").UsingGet())
            .RespondWith(
                Response
                    .Create()
                    .WithStatusCode(401)
                    .WithHeader("WWW-Authenticate", FileSync.Protocol.KeyRejection.Challenge)
            );

        var agent = StartAgent();

        Assert.Equal(3, await agent.WaitForExitAsync(Wait.Generous));
        var line = Assert.Single(agent.Lines, l => l.Contains("error:", StringComparison.Ordinal));
        Assert.Contains("HTTP 401", line);
        Assert.DoesNotContain("some-key", agent.Output);
        Assert.Single(Attempts);
    }

    /// <summary>A config file whose long pause (gateway refusals, replaced connections) is 1 s, so a test sees the retry.</summary>
    private string ShortLongRetryConfig()
    {
        var path = Path.Combine(NewDirectory().Path, "config.json");
        File.WriteAllText(
            path,
            """{ "Uplink": { "LongRetrySeconds": 1, "LongRetryMaxSeconds": 2 } }"""
        );
        return path;
    }

    [Theory]
    [InlineData(404, "is the URL right")]
    [InlineData(426, "HTTP 426")]
    public async Task Upgrade404Or426_OneClearLineAndRetriesWithBackoff(int status, string said)
    {
        Answer(status);

        var agent = StartAgent();

        var attempts = await WaitForAttemptsAsync(3);
        Assert.False(agent.HasExited);
        await agent.WaitForLineAsync($"HTTP {status}");
        Assert.Contains(
            agent.Lines,
            l =>
                l.Contains(said, StringComparison.Ordinal)
                && l.Contains("/ws/v1/edge", StringComparison.Ordinal)
        );
        Assert.True(
            attempts[2] - attempts[1] > TimeSpan.FromMilliseconds(200),
            "backs off between attempts"
        );
    }

    [Theory]
    [InlineData(429, 3)]
    [InlineData(503, 2)]
    public async Task Upgrade429Or503WithRetryAfter_NextAttemptWaitsAtLeastThatLong(
        int status,
        int seconds
    )
    {
        Answer(status, seconds.ToString(System.Globalization.CultureInfo.InvariantCulture));

        var agent = StartAgent();

        var attempts = await WaitForAttemptsAsync(2);
        Assert.True(
            attempts[1] - attempts[0] >= TimeSpan.FromSeconds(seconds - 0.05),
            $"waited {(attempts[1] - attempts[0]).TotalSeconds:F2} s, asked {seconds} s"
        );
        Assert.False(agent.HasExited);
    }

    [Fact]
    public async Task Upgrade500_RetriedWithGrowingBackoff()
    {
        Answer(500);

        var agent = StartAgent();

        var attempts = await WaitForAttemptsAsync(5);
        // Full jitter within a doubling ceiling (0.5, 1, 2, 4 s): the fourth wait is longer than the first.
        Assert.True(
            attempts[4] - attempts[3] > attempts[1] - attempts[0],
            string.Join(
                ", ",
                attempts.Zip(attempts.Skip(1), (a, b) => (b - a).TotalSeconds.ToString("F2"))
            )
        );
        Assert.False(agent.HasExited);
        await agent.WaitForLineAsync("HTTP 500");
    }

    [Fact]
    public async Task HandshakeNeverAnswered_ConnectTimesOutAndRetries()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var accepted = new List<Socket>();
        var accepting = Task.Run(async () =>
        {
            while (true)
            {
                var socket = await listener.AcceptSocketAsync();
                lock (accepted)
                {
                    accepted.Add(socket); // held open, never answered
                }
            }
        });
        var config = Path.Combine(NewDirectory().Path, "config.json");
        File.WriteAllText(config, """{"Uplink":{"ConnectTimeoutSeconds":1}}""");
        var workspace = NewWorkspace();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var agent = StartAgentVia(
            new Uri($"ws://127.0.0.1:{port}/ws/v1/edge"),
            [workspace.Path],
            "--config",
            config
        );

        await agent.WaitForLineAsync("timed out after 1 s");
        await Wait.UntilAsync(
            () =>
            {
                lock (accepted)
                {
                    return accepted.Count >= 2;
                }
            },
            Wait.Generous,
            () => "a second attempt after the timeout"
        );
        Assert.False(agent.HasExited);
        lock (accepted)
        {
            accepted.ForEach(s => s.Dispose());
        }
    }

    [LinuxFact("counts the agent's threads by name in /proc")]
    public async Task RefusedAndTimedOutAttempts_LeaveNoConnectionThreadsBehind()
    {
        // Every connection is accepted and never answered: each upgrade times out while its read waits, the
        // attempt that ends with both of its threads started and one of them blocked.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var accepted = new List<Socket>();
        _ = Task.Run(async () =>
        {
            while (true)
            {
                var socket = await listener.AcceptSocketAsync();
                lock (accepted)
                {
                    accepted.Add(socket);
                }
            }
        });
        var config = Path.Combine(NewDirectory().Path, "config.json");
        File.WriteAllText(config, """{"Uplink":{"ConnectTimeoutSeconds":1}}""");
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var agent = StartAgentVia(
            new Uri($"ws://127.0.0.1:{port}/ws/v1/edge"),
            [NewWorkspace().Path],
            "--config",
            config
        );
        int Accepted()
        {
            lock (accepted)
            {
                return accepted.Count;
            }
        }
        await Wait.UntilAsync(
            () => Accepted() >= 5,
            Wait.Long,
            () => $"5 attempts, saw {Accepted()}"
        );

        // Each attempt had its own receive and send threads; at most the current attempt's are left.
        await WaitForAtMostOneConnectionsThreadsAsync(agent);
        Assert.True(ThreadsNamed(agent.Id, "FileSync connect") <= 1);
        Assert.False(agent.HasExited);
        lock (accepted)
        {
            accepted.ForEach(s => s.Dispose());
        }
    }

    [LinuxFact("counts the agent's threads by name in /proc")]
    public async Task RefusedUpgrades_LeaveNoConnectionThreadsBehind()
    {
        Answer(500);

        var agent = StartAgent();

        await WaitForAttemptsAsync(5);
        await WaitForAtMostOneConnectionsThreadsAsync(agent);
        Assert.False(agent.HasExited);
    }

    /// <summary>Waits until the agent has at most one receive and one send thread: the current attempt's.</summary>
    private static Task WaitForAtMostOneConnectionsThreadsAsync(ChildProcess agent) =>
        Wait.UntilAsync(
            () =>
                ThreadsNamed(agent.Id, "FileSync receiv") <= 1
                && ThreadsNamed(agent.Id, "FileSync send") <= 1,
            Wait.Generous,
            () =>
                $"{ThreadsNamed(agent.Id, "FileSync receiv")} receive and "
                + $"{ThreadsNamed(agent.Id, "FileSync send")} send threads"
        );

    /// <summary>The process's threads whose name (as the kernel keeps it: 15 bytes) is <paramref name="name"/>.</summary>
    private static int ThreadsNamed(int pid, string name)
    {
        var count = 0;
        foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n') == name)
                {
                    count++;
                }
            }
            catch (IOException)
            {
                // The thread ended while it was listed.
            }
        }
        return count;
    }
}
