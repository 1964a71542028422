using System.Text.RegularExpressions;
using FileSync.Edge.Hosting;
using FileSync.Edge.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FileSync.Edge.Tests.EndToEnd;

/// <summary>
/// What a person reads on the agent's console: short lines at a terminal (forced here with
/// FILESYNC_CONSOLE, the output being a pipe), the full format otherwise, and no message about an index
/// that did not exist on a first run.
/// </summary>
[Trait("Category", "Integration")]
public sealed partial class ConsoleOutputTests(ITestOutputHelper output) : EndToEndTestBase(output)
{
    [GeneratedRegex(@"^\d\d:\d\d:\d\d Syncing workspace /")]
    private static partial Regex ShortSyncingLine();

    [GeneratedRegex(
        @"^\d\d:\d\d:\d\d info: FileSync\.Edge\.Workspace\.WorkspaceRegistry\[350\] Syncing workspace /"
    )]
    private static partial Regex FullSyncingLine();

    private async Task<ChildProcess> SyncOnceAsync(string? style)
    {
        await StartServerAsync();
        var workspace = NewWorkspace();
        workspace.Write("a.txt", "a");
        var agent = StartAgentProcess(
            Server!.WebSocketUri,
            [workspace.Path],
            asUnprivilegedUser: false,
            new Dictionary<string, string?> { [ConsoleLogging.StyleVariable] = style }
        );
        await MirrorAssert.MirrorsAsync(workspace.Path, MirrorOf(workspace));
        await agent.WaitForLineAsync("initial sync done");
        return agent;
    }

    [Fact]
    public async Task ShortStyle_FirstRun_TimeAndMessageOnly_NoWordAboutAnEmptyIndex()
    {
        var agent = await SyncOnceAsync("short");

        var lines = agent.Lines;
        Assert.Contains(lines, line => ShortSyncingLine().IsMatch(line));
        Assert.DoesNotContain(lines, line => line.Contains("info:", StringComparison.Ordinal));
        Assert.DoesNotContain(
            lines,
            line => line.Contains("FileSync.Edge.", StringComparison.Ordinal)
        );
        Assert.DoesNotContain("reading its 0 files again", agent.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("the index held", agent.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RedirectedOutput_KeepsTheFullFormat()
    {
        var agent = await SyncOnceAsync(style: null);

        Assert.Contains(agent.Lines, line => FullSyncingLine().IsMatch(line));
    }

    [Theory]
    [InlineData(LogLevel.Information, "00:00:00 Syncing workspace /x")]
    [InlineData(LogLevel.Warning, "00:00:00 warning: Syncing workspace /x")]
    [InlineData(LogLevel.Error, "00:00:00 error: Syncing workspace /x")]
    public void ShortFormatter_LevelWordOnlyWhenNotInformation(LogLevel level, string expected)
    {
        var time = new TestTimeProvider();
        time.SetLocalTimeZone(TimeZoneInfo.Utc);
        var writer = new StringWriter();

        new ShortConsoleFormatter(time).Write(
            new LogEntry<string>(
                level,
                "FileSync.Edge.Workspace.WorkspaceRegistry",
                new EventId(350, "SyncingWorkspace"),
                "Syncing workspace /x",
                null,
                (state, _) => state
            ),
            null,
            writer
        );

        Assert.Equal(expected + Environment.NewLine, writer.ToString());
    }

    [Theory]
    [InlineData("short", false, true, ConsoleStyle.Short)]
    [InlineData("FULL", false, false, ConsoleStyle.Full)]
    [InlineData(null, false, false, ConsoleStyle.Short)]
    [InlineData(null, false, true, ConsoleStyle.Full)]
    [InlineData("", true, false, ConsoleStyle.Journal)]
    public void Choose_ForcedOrByTheTerminal(
        string? forced,
        bool systemd,
        bool redirected,
        ConsoleStyle expected
    )
    {
        Assert.Equal(expected, ConsoleLogging.Choose(forced, systemd, redirected, out var problem));
        Assert.Null(problem);
    }

    [Fact]
    public void Choose_UnknownStyle_NamesTheVariableAndFallsBack()
    {
        Assert.Equal(
            ConsoleStyle.Full,
            ConsoleLogging.Choose("fancy", false, true, out var problem)
        );
        Assert.Equal(
            "FILESYNC_CONSOLE='fancy' is not a console style (short or full); choosing by the terminal",
            problem
        );
    }
}
