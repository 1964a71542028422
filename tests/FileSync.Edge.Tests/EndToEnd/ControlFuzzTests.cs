using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using FileSync.Edge.Control;
using FileSync.Edge.Tests.Infrastructure;
using FileSync.Protocol;

namespace FileSync.Edge.Tests.EndToEnd;

/// <summary>
/// A live agent under a seeded storm of hostile commands sent through the reference server's admin
/// API. Set <c>FILESYNC_FUZZ_SEED</c> to replay a failing run (the seed is printed and is part of
/// every failure message).
/// </summary>
[Trait("Category", "Integration")]
public sealed class ControlFuzzTests(ITestOutputHelper output) : EndToEndTestBase(output)
{
    /// <summary>How many commands are sent; <c>FILESYNC_FUZZ_MESSAGES</c> raises it for a longer soak.</summary>
    private static readonly int Messages =
        int.TryParse(Environment.GetEnvironmentVariable("FILESYNC_FUZZ_MESSAGES"), out var count)
        && count > 1000
            ? count
            : 1200;

    private const int WarmUp = 100;
    private const int Senders = 4;

    /// <summary>
    /// The agent runs with this managed-heap hard limit: memory that grew with the number of commands
    /// would end it (an OutOfMemoryException stops the agent) instead of merely swelling. Peaks are real:
    /// a 5 MB frame is a 5 MB array, its parse and the strings it holds; 128 MB was seen to be too tight
    /// for a 5000-command run of 5 MB frames.
    /// </summary>
    private const long HeapLimitBytes = 256L * 1024 * 1024;

    /// <summary>How much the agent's resident memory may grow over the run (at most the heap limit).</summary>
    private const long RssGrowthBoundKb = 256 * 1024;

    private readonly List<ChildProcess> _agents = [];

    public override async Task DisposeAsync()
    {
        foreach (var agent in _agents)
        {
            await agent.DisposeAsync();
        }
        await base.DisposeAsync();
    }

    [LinuxFact("watches the canary with inotify and the agent's memory in /proc (Linux)")]
    public async Task Fuzz_OverAThousandHostileCommands_AgentStaysConnectedKeepsSyncingBoundedAndNeverOpensTheCanary()
    {
        var seed = int.TryParse(
            Environment.GetEnvironmentVariable("FILESYNC_FUZZ_SEED"),
            out var fixedSeed
        )
            ? fixedSeed
            : Random.Shared.Next();
        Output.WriteLine($"fuzz seed: {seed} (replay with FILESYNC_FUZZ_SEED={seed})");
        try
        {
            await RunAsync(seed);
        }
        catch (Exception ex)
        {
            throw new Xunit.Sdk.XunitException(
                $"fuzz seed {seed} (replay with FILESYNC_FUZZ_SEED={seed}) failed: {ex.Message}",
                ex
            );
        }
    }

    private async Task RunAsync(int seed)
    {
        // A canary folder beside the workspace, reachable from it by '..', absolute paths and links.
        var canaryDirectory = NewDirectory();
        var canary = canaryDirectory.Write(
            "canary.txt",
            "the canary: never to be opened by the agent"
        );
        var control = canaryDirectory.Write(
            "control.txt",
            "read by the test to prove the watch works"
        );
        var workspace = NewWorkspace();
        workspace.Write("a.txt", "a");
        workspace.Write("sub/x.txt", "x");
        workspace.Write(".gitignore", ".env\n");
        workspace.Write(".env", "API_TOKEN=secret");
        File.CreateSymbolicLink(Path.Combine(workspace.Path, "link-file"), canary);
        Directory.CreateSymbolicLink(
            Path.Combine(workspace.Path, "link-dir"),
            canaryDirectory.Path
        );
        var scratch = NewDirectory();
        Directory.CreateSymbolicLink(Path.Combine(scratch.Path, "to-root"), "/");
        Directory.CreateSymbolicLink(
            Path.Combine(scratch.Path, "to-home"),
            Environment.GetFolderPath(Environment.SpecialFolder.UserProfile)
        );
        using var watch = new InotifyOpenWatch();
        watch.Add(canaryDirectory.Path);
        watch.Add(canary);
        watch.ProveWorks(control);

        await StartServerAsync();
        var agent = ChildProcess.StartBuilt(
            "filesync-edge",
            [workspace.Path, "--server", Server!.WebSocketUri.ToString(), "--config", NoConfigFile],
            Output,
            new Dictionary<string, string?>
            {
                ["FILESYNC_STATE_DIR"] = StateDirectory,
                ["DOTNET_GCHeapHardLimit"] = $"0x{HeapLimitBytes:X}",
            }
        );
        _agents.Add(agent);
        await Wait.UntilAsync(
            async () => (await Server!.GetStatusAsync()).Workspaces.Any(w => w.Done),
            Wait.Generous,
            () => "the initial sync"
        );
        var edgeId = await WaitForEdgeIdAsync();
        var connectedAt = (await Server!.GetStatusAsync()).Edges.Single().ConnectedAt;

        var generator = new HostileCommandGenerator(
            new Random(seed),
            workspace.Path,
            canaryDirectory.Path,
            canary,
            scratch.Path
        );
        var commands = Enumerable.Range(0, Messages).Select(_ => generator.Next()).ToList();
        await SendAllAsync(edgeId, commands.Take(WarmUp).ToList());
        await FlushAsync(edgeId, "warm-up");
        var rssBefore = ResidentKb(agent.Id);

        var sent = await SendAllAsync(edgeId, commands.Skip(WarmUp).ToList()) + WarmUp;
        await FlushAsync(edgeId, "fuzz-end");
        var rssAfter = ResidentKb(agent.Id);
        var largest = commands.Max(c => c.Length);
        Output.WriteLine(
            $"sent {sent} hostile commands ({commands.Sum(c => (long)c.Length) / 1024} KB, largest {largest / 1024} KB); agent RSS {rssBefore / 1024} MB before, {rssAfter / 1024} MB after"
        );

        Assert.True(sent >= 1000, $"only {sent} commands reached the agent");
        Assert.False(agent.HasExited, "the agent exited");
        var edge = Assert.Single((await Server.GetStatusAsync()).Edges);
        Assert.Equal(connectedAt, edge.ConnectedAt);
        Assert.DoesNotContain(
            agent.Lines,
            l =>
                l.Contains(" fail: ", StringComparison.Ordinal)
                || l.Contains(" crit: ", StringComparison.Ordinal)
        );
        Assert.DoesNotContain(
            await Server.GetRepliesAsync(edgeId),
            r =>
                r.Type == MessageTypes.Error
                && r.Payload.TryGetProperty("code", out var c)
                && c.GetString() == ErrorCodes.InternalError
        );
        Assert.True(
            rssAfter - rssBefore < RssGrowthBoundKb,
            $"agent RSS grew from {rssBefore} kB to {rssAfter} kB"
        );

        // Still syncing: a change after the storm reaches the mirror.
        workspace.Write("after-fuzz.txt", $"written after {sent} hostile commands");
        var mirrored = Path.Combine(MirrorOf(workspace), "after-fuzz.txt");
        await Wait.UntilAsync(
            () =>
                File.Exists(mirrored)
                && File.ReadAllText(mirrored) == $"written after {sent} hostile commands",
            Wait.Generous,
            () => "after-fuzz.txt in the mirror"
        );

        var opened = watch.ReadEvents();
        Assert.True(
            opened.Count == 0,
            $"the canary folder was opened or read: {string.Join("; ", opened.Take(10))}"
        );
    }

    /// <summary>Posts every command (several at a time); each must be accepted (202) — the edge never drops off.</summary>
    private async Task<int> SendAllAsync(string edgeId, List<string> commands)
    {
        var queue = new ConcurrentQueue<string>(commands);
        var accepted = 0;
        await Task.WhenAll(
            Enumerable
                .Range(0, Senders)
                .Select(async _ =>
                {
                    while (queue.TryDequeue(out var command))
                    {
                        var status = await Server!.TrySendCommandAsync(edgeId, command);
                        Assert.True(
                            status == HttpStatusCode.Accepted,
                            $"the server answered {(int)status} to: {Preview(command)}"
                        );
                        Interlocked.Increment(ref accepted);
                    }
                })
        );
        return accepted;
    }

    /// <summary>Waits until the agent has worked through everything sent so far (commands are handled in order).</summary>
    private async Task FlushAsync(string edgeId, string requestId)
    {
        await Server!.SendCommandAsync(
            edgeId,
            $$$"""{"type":"edge:status_request","payload":{"requestId":"{{{requestId}}}"}}"""
        );
        await Wait.UntilAsync(
            async () =>
                (await Server.GetRepliesAsync(edgeId)).Any(r =>
                    r.Type == MessageTypes.EdgeStatus
                    && r.Payload.TryGetProperty("requestId", out var id)
                    && id.GetString() == requestId
                ),
            Wait.Long,
            () => $"the agent to answer '{requestId}'"
        );
    }

    /// <summary>VmRSS of a process, in kB.</summary>
    private static long ResidentKb(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status")
            .Single(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(
            line["VmRSS:".Length..].Trim().Split(' ')[0],
            System.Globalization.CultureInfo.InvariantCulture
        );
    }

    private static string Preview(string command) =>
        command.Length <= 200 ? command : command[..200] + $"… ({command.Length} chars)";

    /// <summary>
    /// Builds syntactically valid JSON envelopes (the admin API forwards only those) with hostile
    /// contents. It never names a folder that may legitimately become a workspace (the server may choose
    /// any folder, and syncing the canary's folder would read the canary rightly), never stops the
    /// workspace, and keeps it in every config update that could apply.
    /// </summary>
    private sealed class HostileCommandGenerator(
        Random random,
        string workspace,
        string canaryDirectory,
        string canary,
        string scratch
    )
    {
        private static readonly string[] KnownTypes =
        [
            MessageTypes.ChunkRequest,
            MessageTypes.WorkspaceRequest,
            MessageTypes.StatusRequest,
            MessageTypes.ConfigUpdate,
            MessageTypes.SyncStart,
            MessageTypes.SyncStop,
            MessageTypes.Resync,
            MessageTypes.ManifestDiff,
            MessageTypes.ConnectedEdge,
            MessageTypes.Error,
            MessageTypes.FileCreateSync,
            MessageTypes.FileDone,
            MessageTypes.EdgeStatus,
        ];

        private static readonly string[] FieldNames =
        [
            "path",
            "requestId",
            "workspacepaths",
            "need",
            "edgeId",
            "capabilities",
            "content",
            "type",
            "payload",
        ];

        /// <summary>A random payload for these can never be a config update listing only junk (which would stop the workspace).</summary>
        private static readonly string[] KnownTypesButConfig =
        [
            .. KnownTypes.Where(t => t != MessageTypes.ConfigUpdate),
        ];

        private string CanaryName => Path.GetFileName(canaryDirectory);

        /// <summary>Paths that never name the workspace (for stops and random values).</summary>
        private string[] NotTheWorkspace =>
            [.. FilePaths.Where(p => !IsWorkspace(p)), .. UnsafeRoots.Where(p => !IsWorkspace(p))];

        /// <summary>
        /// Paths a read must refuse (or find missing): each leads to the canary or to nothing readable,
        /// except a few legitimate ones inside the workspace. No folder here may become a workspace.
        /// </summary>
        private string[] FilePaths =>
            [
                canary,
                canary + "/",
                canary + "/.",
                canaryDirectory + "//canary.txt",
                $"{workspace}/../{CanaryName}/canary.txt",
                $"{workspace}/sub/../../{CanaryName}/canary.txt",
                $"{workspace}/../../../../../../../..{canary}",
                $"{workspace}/link-file",
                $"{workspace}/link-dir/canary.txt",
                $"{workspace}/link-dir/../link-dir/canary.txt",
                $"{workspace}/.env",
                $"{workspace}/.git/config",
                $"{workspace}/missing/../../{CanaryName}/canary.txt",
                $"{workspace}/%2e%2e/{CanaryName}/canary.txt",
                $@"{workspace}\..\{CanaryName}\canary.txt",
                @"\\.\" + canary,
                @"\\?\" + canary,
                @"\\?\UNC\localhost\share\canary.txt",
                @"\\localhost\share\canary.txt",
                "//localhost" + canary,
                "/" + canary,
                "CON",
                "NUL:",
                "COM1",
                @"C:\Windows\win.ini",
                "C:canary.txt",
                "canary.txt",
                "../" + CanaryName + "/canary.txt",
                "file://" + canary,
                "~/canary.txt",
                "",
                " ",
                "/proc/self/root" + canary,
                "/proc/self/cwd/../" + CanaryName,
                "/dev/zero",
                "/etc/passwd",
                workspace,
                workspace + "/",
                workspace + "/a.txt",
                workspace + "/sub",
            ];

        /// <summary>Roots the agent must refuse to start.</summary>
        private string[] UnsafeRoots =>
            [
                "/",
                "/tmp",
                "/var/tmp",
                Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
                Path.Combine(scratch, "to-root"),
                Path.Combine(scratch, "to-home"),
                Path.Combine(scratch, "to-root", "proc", ".."),
                "/proc/self/root",
                "/dev",
                "/proc",
                "/sys/kernel",
                canary,
                Path.Combine(scratch, "missing"),
                workspace + "/sub",
                "relative/folder",
                ".",
                "..",
                @"\\server\share",
                @"\\?\C:\",
                "C:\\",
                "",
            ];

        public string Next()
        {
            var roll = random.Next(100);
            return roll switch
            {
                < 25 => Envelope(
                    MessageTypes.ChunkRequest,
                    $$"""{"path":{{Hostile(FilePaths)}},"requestId":{{RequestId()}}}"""
                ),
                < 30 => Envelope(
                    MessageTypes.WorkspaceRequest,
                    $$"""{"path":{{Hostile(FilePaths)}},"requestId":{{RequestId()}}}"""
                ),
                < 35 => Envelope(MessageTypes.SyncStart, $$"""{"path":{{Hostile(UnsafeRoots)}}}"""),
                < 39 => Envelope(
                    MessageTypes.SyncStop,
                    $$"""{"path":{{Hostile(NotTheWorkspace)}}}"""
                ),
                < 41 => Envelope(MessageTypes.Resync, $$"""{"path":{{Hostile(FilePaths)}}}"""),
                < 46 => ConfigUpdate(),
                < 50 => Envelope(
                    MessageTypes.StatusRequest,
                    random.Next(3) == 0 ? RandomValue(3) : $$"""{"requestId":{{RequestId()}}}"""
                ),
                < 54 => Envelope(
                    MessageTypes.ManifestDiff,
                    $$"""{"path":{{Hostile([workspace, .. FilePaths])}},"need":[{{string.Join(",", Enumerable.Range(0, random.Next(5)).Select(_ => Hostile(FilePaths)))}}]}"""
                ),
                < 66 => Envelope(Pick(KnownTypesButConfig), RandomPayload()),
                < 72 => RawEnvelope(RandomType(), RandomPayload()),
                < 77 => Envelope(Pick(KnownTypes), Nested(random.Next(33, 60))),
                < 81 => Envelope(
                    Pick(KnownTypes),
                    $$"""{"path":"{{workspace}}/\ud800\udc00\ud800","requestId":"\udfff"}"""
                ),
                < 86 =>
                    $$"""{"type":{{Quote(Pick(KnownTypes))}},"payload":{{Pick(["[]", "[1,2]", "\"x\"", "42", "true", "null", "-0", "1e400"])}}}""",
                < 89 => $$"""{"type":{{Quote(Pick(KnownTypes))}}}""",
                < 93 => Large(),
                _ =>
                    $$"""{"payload":{"path":"/x"},"type":{{Quote(Pick(KnownTypes))}},"type":{{Quote(Pick(KnownTypes))}},"extra":{{RandomValue(2)}}}""",
            };
        }

        private bool IsWorkspace(string path)
        {
            try
            {
                return path.Length > 0
                    && Path.IsPathFullyQualified(path)
                    && Path.TrimEndingDirectorySeparator(Path.GetFullPath(path)) == workspace;
            }
            catch (ArgumentException)
            {
                return false;
            }
        }

        private string ConfigUpdate()
        {
            // Always keep the workspace (in one of its spellings); add refused roots around it.
            var paths = new List<string>
            {
                Quote(Pick([workspace, workspace + "/", workspace + "/sub/.."])),
            };
            for (var i = random.Next(4); i > 0; i--)
            {
                paths.Insert(
                    random.Next(paths.Count + 1),
                    random.Next(5) == 0 ? RandomValue(1) : Hostile(UnsafeRoots)
                );
            }
            // Sometimes not an array at all (never an array without the workspace).
            var value =
                random.Next(10) == 0
                    ? Pick(["null", "42", "\"/x\"", "{}", "true", "{\"0\":\"/\"}"])
                    : $"[{string.Join(",", paths)}]";
            return Envelope(MessageTypes.ConfigUpdate, $$"""{"workspacepaths":{{value}}}""");
        }

        /// <summary>One of <paramref name="paths"/>, sometimes decorated, as a JSON string; sometimes not a string at all.</summary>
        private string Hostile(string[] paths)
        {
            var path = Pick(paths);
            return random.Next(12) switch
            {
                0 => RandomValue(0),
                1 => Quote(path + "\0"),
                2 => Quote(path.Replace('/', '\\')),
                3 => Quote(path + new string('/', random.Next(1, 5))),
                4 => Quote(path.ToUpperInvariant()),
                _ => Quote(path),
            };
        }

        private string RequestId() =>
            random.Next(6) switch
            {
                0 => RandomValue(1),
                1 => Quote(new string('r', random.Next(200, 2000))),
                _ => Quote($"fuzz-{random.Next()}"),
            };

        private string RandomType() =>
            random.Next(5) switch
            {
                0 => Quote(new string('t', random.Next(1000, 20_000))),
                1 => "\"\\u0000\\n\\r\\t\\u001b[31m\"",
                2 => Quote(""),
                3 => Quote(Pick(KnownTypes).ToUpperInvariant()),
                _ => Quote(RandomText(random.Next(1, 40))),
            };

        private string RandomPayload() => random.Next(4) == 0 ? RandomValue(3) : RandomObject(3);

        private string RandomObject(int depth)
        {
            var fields = Enumerable
                .Range(0, random.Next(0, 6))
                .Select(_ =>
                    $"{Quote(random.Next(2) == 0 ? Pick(FieldNames) : RandomText(random.Next(1, 12)))}:{RandomValue(depth - 1)}"
                );
            return "{" + string.Join(",", fields) + "}";
        }

        private string RandomValue(int depth) =>
            random.Next(depth > 0 ? 11 : 8) switch
            {
                0 => "null",
                1 => "true",
                2 => "false",
                3 => random
                    .Next(int.MinValue, int.MaxValue)
                    .ToString(System.Globalization.CultureInfo.InvariantCulture),
                4 => Pick([
                    "1e308",
                    "-1e400",
                    "0.000000000000000000001",
                    "12345678901234567890123",
                    "-0",
                ]),
                5 => Quote(RandomText(random.Next(0, 30))),
                6 => Quote(Pick(NotTheWorkspace)),
                7 => "\"\\ud800\"",
                8 => "["
                    + string.Join(
                        ",",
                        Enumerable.Range(0, random.Next(0, 5)).Select(_ => RandomValue(depth - 1))
                    )
                    + "]",
                _ => RandomObject(depth - 1),
            };

        private static string Nested(int depth) =>
            string.Concat(Enumerable.Repeat("{\"path\":", depth))
            + "\"/x\""
            + new string('}', depth);

        private string Large() =>
            random.Next(4) switch
            {
                // Up to the admin API's 5 MB body limit; the agent must parse and refuse each without keeping it.
                0 => Envelope(
                    MessageTypes.ChunkRequest,
                    $$"""{"path":{{Quote("/" + new string('a', random.Next(5_000, 4_000_000)))}},"requestId":"big-path"}"""
                ),
                1 => Envelope(
                    MessageTypes.ConfigUpdate,
                    $$"""{"workspacepaths":[{{string.Join(",", Enumerable.Range(0, random.Next(257, 200_000)).Select(i => "\"/n/" + i + "\""))}}]}"""
                ),
                2 => Envelope(
                    MessageTypes.StatusRequest,
                    $$"""{"requestId":{{Quote(new string('q', random.Next(100_000, 4_900_000)))}}}"""
                ),
                _ => Envelope(
                    MessageTypes.ManifestDiff,
                    $$"""{"path":{{Quote(workspace)}},"need":[{{string.Join(",", Enumerable.Range(0, random.Next(1000, 300_000)).Select(i => "\"../" + i + "\""))}}]}"""
                ),
            };

        private string RandomText(int length)
        {
            var text = new StringBuilder(length);
            for (var i = 0; i < length; i++)
            {
                text.Append(
                    random.Next(6) switch
                    {
                        0 => (char)random.Next(0x20, 0x7f),
                        1 => (char)random.Next(0xa0, 0x2000),
                        2 => Pick([
                            '/',
                            '\\',
                            '.',
                            ':',
                            '*',
                            '?',
                            '"',
                            '<',
                            '>',
                            '|',
                            '%',
                            '~',
                            '$',
                        ]),
                        3 => (char)random.Next(0, 0x20),
                        _ => (char)random.Next('a', 'z' + 1),
                    }
                );
            }
            return text.ToString();
        }

        private static string Envelope(string type, string payload) =>
            $$"""{"type":{{Quote(type)}},"payload":{{payload}}}""";

        private static string RawEnvelope(string quotedType, string payload) =>
            $$"""{"type":{{quotedType}},"payload":{{payload}}}""";

        private static string Quote(string value) => "\"" + JsonEncodedText.Encode(value) + "\"";

        private T Pick<T>(T[] items) => items[random.Next(items.Length)];
    }
}
