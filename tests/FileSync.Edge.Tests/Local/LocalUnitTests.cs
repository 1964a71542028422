using System.Runtime.Versioning;
using System.Text;
using FileSync.Edge.Cli;
using FileSync.Edge.Local;
using FileSync.Edge.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Tests.Local;

/// <summary>The endpoint's pieces without a process: line reading, the log ring, addresses, the folder check, the table.</summary>
public sealed class LocalUnitTests
{
    [Fact]
    public async Task LineReader_SplitsLinesAndRefusesOverLongOnes()
    {
        var bytes = Encoding.UTF8.GetBytes("one\r\ntwo\n\nlast");
        var reader = new LineReader(new MemoryStream(bytes), maxLineBytes: 8);
        Assert.Equal("one", Encoding.UTF8.GetString((await reader.ReadLineAsync())!));
        Assert.Equal("two", Encoding.UTF8.GetString((await reader.ReadLineAsync())!));
        Assert.Empty((await reader.ReadLineAsync())!);
        Assert.Equal("last", Encoding.UTF8.GetString((await reader.ReadLineAsync())!));
        Assert.Null(await reader.ReadLineAsync());

        var endless = new LineReader(new MemoryStream(new byte[100_000]), maxLineBytes: 1024);
        await Assert.ThrowsAsync<LineTooLongException>(async () => await endless.ReadLineAsync());
    }

    [Fact]
    public async Task LineReader_ManySmallLinesAcrossBufferRefills_AreAllRead()
    {
        var text = string.Concat(Enumerable.Range(0, 5000).Select(i => $"line {i}\n"));
        var reader = new LineReader(new MemoryStream(Encoding.UTF8.GetBytes(text)), 64);
        for (var i = 0; i < 5000; i++)
        {
            Assert.Equal($"line {i}", Encoding.UTF8.GetString((await reader.ReadLineAsync())!));
        }
        Assert.Null(await reader.ReadLineAsync());
    }

    [Fact]
    public async Task LogRing_KeepsTheNewestLinesAndWakesFollowers()
    {
        var ring = new LogRing(capacity: 3);
        var waiting = ring.WaitForLineAfterAsync(0);
        Assert.False(waiting.IsCompleted);
        for (var i = 1; i <= 5; i++)
        {
            ring.Add(DateTimeOffset.UnixEpoch, LogLevel.Information, "Cat", default, $"m{i}");
        }
        await waiting.OrTimeout(Wait.Short, "the follower to wake");
        Assert.Equal(["m3", "m4", "m5"], ring.Since(0).Select(l => l.Message));
        Assert.Equal(["m5"], ring.Since(4).Select(l => l.Message));
        Assert.Empty(ring.Since(5));
        Assert.Equal(5, ring.LastSequence);
        Assert.Equal("m4", ring.Last(l => l.Message != "m5")!.Message);
        Assert.Null(ring.Last(l => l.Message == "m1")); // dropped

        ring.Add(DateTimeOffset.UnixEpoch, LogLevel.Warning, "Cat", default, new string('x', 5000));
        var capped = ring.Since(5).Single();
        Assert.Equal(LogRing.MaxMessageLength + 1, capped.Message.Length);
        Assert.Equal("warn", capped.Level);
    }

    [Fact]
    public void LogRingProvider_WritesOneLinePerEventWithTheExceptionMessage()
    {
        var ring = new LogRing();
        using var provider = new LogRingProvider(ring, TimeProvider.System);
        var logger = provider.CreateLogger("FileSync.Edge.Test");
        logger.Log(
            LogLevel.Error,
            new EventId(7, "Boom"),
            "two\nlines",
            new IOException("disk gone"),
            (s, _) => s
        );
        var line = Assert.Single(ring.Since(0));
        Assert.Equal("two lines (IOException: disk gone)", line.Message);
        Assert.Equal("Boom", line.EventName);
        Assert.Equal("FileSync.Edge.Test", line.Category);
    }

    [Fact]
    public void Address_DependsOnTheConfigFile_DefaultConfigIsAgent()
    {
        using var runtime = new TempDirectory();
        var a = LocalEndpointAddress.For("/some/where/a.json", runtime.Path);
        var b = LocalEndpointAddress.For("/some/where/b.json", runtime.Path);
        Assert.NotEqual(a.Path, b.Path);
        Assert.Equal(a, LocalEndpointAddress.For("/some/where/../where/a.json", runtime.Path));
        Assert.StartsWith(Path.Combine(runtime.Path, "filesync-edge", "agent-"), a.Path);
        var platformDefault = LocalEndpointAddress.For(
            AgentConfigLocation.PlatformDefaultPath(),
            runtime.Path
        );
        Assert.Equal("agent", platformDefault.Name);
        Assert.Equal(
            Path.Combine(runtime.Path, "filesync-edge", "agent.sock"),
            platformDefault.Path
        );
    }

    [UnixFact("the runtime folder's POSIX file modes: Windows does not have them")]
    [UnsupportedOSPlatform("windows")]
    public void RuntimeDirectory_CreatedOwnerOnly_LinksRefused_LooseModeTightened()
    {
        using var scratch = new TempDirectory();
        var created = Path.Combine(scratch.Path, "made");
        Assert.Null(LocalRuntimeDirectory.Ensure(created));
        Assert.Equal(
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute,
            File.GetUnixFileMode(created)
        );

        var loose = Directory.CreateDirectory(Path.Combine(scratch.Path, "loose")).FullName;
        File.SetUnixFileMode(loose, (UnixFileMode)0b111_111_111);
        Assert.Null(LocalRuntimeDirectory.Ensure(loose));
        Assert.Equal((UnixFileMode)0b111_000_000, File.GetUnixFileMode(loose));

        var link = Path.Combine(scratch.Path, "link");
        Directory.CreateSymbolicLink(link, created);
        Assert.Contains("symbolic link", LocalRuntimeDirectory.Ensure(link));

        var file = Path.Combine(scratch.Path, "file");
        File.WriteAllText(file, "");
        Assert.Contains("not a folder", LocalRuntimeDirectory.Ensure(file));
    }

    [RootFact("only root can make a folder that belongs to someone else")]
    [UnsupportedOSPlatform("windows")]
    public void RuntimeDirectory_OwnedByAnotherUser_IsRefused()
    {
        using var scratch = new TempDirectory();
        var foreign = Directory.CreateDirectory(Path.Combine(scratch.Path, "foreign")).FullName;
        File.SetUnixFileMode(foreign, (UnixFileMode)0b111_000_000);
        Assert.Equal(0, Libc.Chown(foreign, 65534, 65534));
        Assert.Contains("belongs to another user", LocalRuntimeDirectory.Ensure(foreign));
    }

    [Fact]
    public void StatusPrinter_ShowsConnectionTableProblemsAndAttention()
    {
        var now = new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
        var text = StatusPrinter.Format(
            new AgentStatusView
            {
                Version = "1.0",
                Pid = 42,
                StartedAt = now.AddMinutes(-5),
                Connection = new ConnectionStatusView
                {
                    Server = "ws://h/ws/v1/edge",
                    State = "connected",
                    Since = now.AddSeconds(-90),
                    EdgeId = "e1",
                },
                Workspaces =
                [
                    new WorkspaceStatusView
                    {
                        Path = "/w/proj",
                        Name = "proj",
                        State = "paused",
                        Paused = true,
                        Files = 12,
                        Bytes = 3456,
                        Pending = 2,
                        Skipped = 1,
                        SkippedFiles = [new FileProblemView("big.bin", "too_large")],
                        Errors = 1,
                        ErrorFiles = [new FileProblemView("secret.txt", "Permission denied")],
                        LastSync = now.AddSeconds(-30),
                    },
                ],
                Attention = ["proj: paused"],
            },
            now
        );
        Assert.Contains(
            "Connection:  connected to ws://h/ws/v1/edge since 11:58:30 (1m30s ago), edge e1",
            text
        );
        Assert.Matches(@"proj\s+paused\s+12\s+3\.5 KB\s+2\s+1\s+1\s+11:59:30", text);
        Assert.Contains("  skipped: big.bin (too_large)", text);
        Assert.Contains("  error: secret.txt (Permission denied)", text);
        Assert.Contains("Needs attention:\n  - proj: paused", text);
    }
}
