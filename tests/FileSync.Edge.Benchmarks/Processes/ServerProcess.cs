using System.Text.Json;
using System.Text.Json.Nodes;

namespace FileSync.Edge.Benchmarks.Processes;

/// <summary>Counters of one mirrored workspace from <c>GET /api/status</c>.</summary>
internal sealed record WorkspaceCounters(
    int Files,
    long Bytes,
    bool Done,
    long Create,
    long Modify,
    long Delete,
    long DoneMessages,
    long Manifest,
    long ContentBytes
)
{
    public static readonly WorkspaceCounters None = new(0, 0, false, 0, 0, 0, 0, 0, 0);

    /// <summary>File bodies received (creates plus modifies).</summary>
    public long Bodies => Create + Modify;
}

/// <summary>
/// A real <c>filesync-server</c> process on 127.0.0.1. Its stderr log lines mark the moments the harness
/// times ("Edge … connected", "Manifest of …", "Workspace … done"); <c>/api/status</c> gives the counters.
/// The status call walks the whole mirror folder, so it is only called between measurements.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(60);

    private readonly HttpClient _http;

    private ServerProcess(ChildProcess process, int port, string mirror)
    {
        Process = process;
        Port = port;
        Mirror = mirror;
        _http = new HttpClient
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}"),
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    public ChildProcess Process { get; }

    public int Port { get; }

    public string Mirror { get; }

    public string EdgeUrl => $"ws://127.0.0.1:{Port}/ws/v1/edge";

    public static async Task<ServerProcess> StartAsync(
        string executable,
        string mirror,
        int port = 0,
        IReadOnlyList<string>? extraArguments = null
    )
    {
        var child = ChildProcess.Start(
            "filesync-server",
            executable,
            [
                "--port",
                port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--mirror",
                mirror,
                .. extraArguments ?? [],
            ]
        );
        var line = await child
            .WaitForLineAsync(
                l => l.StartsWith("listening on http://127.0.0.1:", StringComparison.Ordinal),
                0,
                s_startTimeout
            )
            .ConfigureAwait(false);
        var bound = int.Parse(
            line.Text[(line.Text.LastIndexOf(':') + 1)..],
            System.Globalization.CultureInfo.InvariantCulture
        );
        return new ServerProcess(child, bound, mirror);
    }

    public Task<OutputLine> WaitConnectedAsync(int from, TimeSpan timeout) =>
        Process.WaitForLineAsync(
            l => l.Contains(" connected from ", StringComparison.Ordinal),
            from,
            timeout
        );

    public Task<OutputLine> WaitManifestAsync(string workspace, int from, TimeSpan timeout) =>
        Process.WaitForLineAsync(
            l => l.Contains($"Manifest of {workspace}:", StringComparison.Ordinal),
            from,
            timeout
        );

    public Task<OutputLine> WaitDoneAsync(string workspace, int from, TimeSpan timeout) =>
        Process.WaitForLineAsync(
            l => l.EndsWith($"Workspace {workspace} done", StringComparison.Ordinal),
            from,
            timeout
        );

    public async Task<JsonElement> GetStatusAsync()
    {
        using var document = JsonDocument.Parse(
            await _http
                .GetStringAsync(new Uri("/api/status", UriKind.Relative))
                .ConfigureAwait(false)
        );
        return document.RootElement.Clone();
    }

    public async Task<WorkspaceCounters> GetCountersAsync(string workspace)
    {
        var status = await GetStatusAsync().ConfigureAwait(false);
        foreach (var item in status.GetProperty("workspaces").EnumerateArray())
        {
            if (item.GetProperty("name").GetString() == workspace)
            {
                var received = item.GetProperty("received");
                return new WorkspaceCounters(
                    item.GetProperty("files").GetInt32(),
                    item.GetProperty("bytes").GetInt64(),
                    item.GetProperty("done").GetBoolean(),
                    received.GetProperty("create").GetInt64(),
                    received.GetProperty("modify").GetInt64(),
                    received.GetProperty("delete").GetInt64(),
                    received.GetProperty("done").GetInt64(),
                    received.GetProperty("manifest").GetInt64(),
                    received.GetProperty("contentBytes").GetInt64()
                );
            }
        }
        return WorkspaceCounters.None;
    }

    /// <summary>Asks the connected edge for <c>edge:status</c> through the admin API and returns its payload.</summary>
    public async Task<JsonElement> GetEdgeStatusAsync(TimeSpan timeout)
    {
        var status = await GetStatusAsync().ConfigureAwait(false);
        var edges = status.GetProperty("edges");
        if (edges.GetArrayLength() == 0)
        {
            throw new BenchmarkException("no edge is connected to the server");
        }
        var edgeId = edges[0].GetProperty("edgeId").GetString()!;
        var requestId = Guid.NewGuid().ToString("N");
        var command = new JsonObject
        {
            ["type"] = "edge:status_request",
            ["payload"] = new JsonObject { ["requestId"] = requestId },
        };
        using var body = new StringContent(
            command.ToJsonString(),
            System.Text.Encoding.UTF8,
            "application/json"
        );
        using (
            var response = await _http
                .PostAsync(new Uri($"/api/edges/{edgeId}/commands", UriKind.Relative), body)
                .ConfigureAwait(false)
        )
        {
            response.EnsureSuccessStatusCode();
        }
        return await Wait.UntilAsync<JsonElement>(
                async () =>
                {
                    using var replies = JsonDocument.Parse(
                        await _http
                            .GetStringAsync(
                                new Uri($"/api/edges/{edgeId}/replies", UriKind.Relative)
                            )
                            .ConfigureAwait(false)
                    );
                    foreach (var reply in replies.RootElement.EnumerateArray())
                    {
                        if (
                            reply.GetProperty("type").GetString() == "edge:status"
                            && reply.GetProperty("payload").TryGetProperty("requestId", out var id)
                            && id.GetString() == requestId
                        )
                        {
                            return reply.GetProperty("payload").Clone();
                        }
                    }
                    return null;
                },
                "the edge to answer edge:status_request",
                timeout
            )
            .ConfigureAwait(false);
    }

    /// <summary>filesRead of the first workspace in the edge's <c>edge:status</c>.</summary>
    public async Task<long> GetFilesReadAsync()
    {
        var status = await GetEdgeStatusAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        return status.GetProperty("workspaces")[0].GetProperty("filesRead").GetInt64();
    }

    public Task<int> StopAsync() => Process.StopAsync();

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await Process.DisposeAsync().ConfigureAwait(false);
    }
}
