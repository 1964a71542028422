using FileSync.Edge.Cli;
using FileSync.Edge.Local;

namespace FileSync.Edge.Tests.Local;

/// <summary>The text of <c>status</c>: a full sync's progress, counts with the right noun, the next connect attempt.</summary>
public sealed class StatusPrinterTests
{
    private static readonly DateTimeOffset s_now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static string Format(
        ConnectionStatusView? connection = null,
        WorkspaceStatusView? workspace = null
    ) =>
        StatusPrinter.Format(
            new AgentStatusView
            {
                Version = "1.0",
                Pid = 42,
                StartedAt = s_now.AddMinutes(-5),
                Connection =
                    connection
                    ?? new ConnectionStatusView
                    {
                        Server = "ws://h/ws/v1/edge",
                        State = "connected",
                        Since = s_now.AddSeconds(-90),
                    },
                Workspaces = workspace is null ? [] : [workspace],
            },
            s_now
        );

    private static WorkspaceStatusView Syncing(SyncProgressView progress, bool paused = false) =>
        new()
        {
            Path = "/w/big",
            Name = "big",
            State = paused ? "paused" : "syncing",
            Paused = paused,
            Progress = progress,
        };

    [Fact]
    public void Format_FullSyncUnderWay_PrintsFilesAndBytesOfTheTotals()
    {
        var text = Format(
            workspace: Syncing(
                new SyncProgressView
                {
                    FilesDone = 340,
                    FilesTotal = 1800,
                    BytesDone = 12_100_000,
                    BytesTotal = 26_000_000,
                }
            )
        );

        Assert.Contains("  syncing 340/1,800 files (12.1 of 26.0 MB)\n", text);
    }

    [Fact]
    public void Format_PausedFullSync_SaysWhereItStopped()
    {
        var text = Format(
            workspace: Syncing(
                new SyncProgressView
                {
                    FilesDone = 853,
                    FilesTotal = 1800,
                    BytesDone = 1_700_000,
                    BytesTotal = 3_600_000,
                },
                paused: true
            )
        );

        Assert.Contains("  paused at 853/1,800 files (1.7 of 3.6 MB)\n", text);
    }

    [Fact]
    public void Format_ScanStillRunning_SaysSo()
    {
        Assert.Contains(
            "  syncing: scanning the workspace\n",
            Format(workspace: Syncing(new SyncProgressView()))
        );
    }

    [Fact]
    public void Format_NoFullSync_PrintsNoProgressLine()
    {
        var text = Format(
            workspace: new WorkspaceStatusView
            {
                Path = "/w/big",
                Name = "big",
                State = "watching",
            }
        );

        Assert.DoesNotContain("syncing", text);
    }

    [Theory]
    [InlineData(1, 1, 900, "syncing 1/1 file (900 of 900 B)")]
    [InlineData(0, 2, 10, "syncing 0/2 files (0 of 10 B)")]
    [InlineData(1, 3, 26_000, "syncing 1/3 files (0.0 of 26.0 KB)")]
    [InlineData(1000, 1000, 2_000_000_000, "syncing 1,000/1,000 files (2.0 of 2.0 GB)")]
    public void ProgressLine_SingularPluralAndUnits(
        int done,
        int total,
        long bytes,
        string expected
    )
    {
        Assert.Equal(
            expected,
            StatusPrinter.ProgressLine(
                new SyncProgressView
                {
                    FilesDone = done,
                    FilesTotal = total,
                    BytesDone = done == total ? bytes : 0,
                    BytesTotal = bytes,
                },
                paused: false
            )
        );
    }

    [Fact]
    public void Format_OneChangeInFlightAndOneWithheld_SaysChangeAndFileInTheSingular()
    {
        var text = Format(
            workspace: new WorkspaceStatusView
            {
                Path = "/w/big",
                Name = "big",
                State = "syncing",
                InFlightFiles = 1,
                InFlightBytes = 10,
                Withheld = 1,
            }
        );

        Assert.Contains("in flight: 1 change sent", text);
        Assert.Contains("(never sent): 1 file\n", text);
    }

    [Fact]
    public void Format_WaitingOutABackoff_ShowsTheTimeLeftNow()
    {
        var connection = new ConnectionStatusView
        {
            Server = "ws://h/ws/v1/edge",
            State = "reconnecting",
            Since = s_now.AddSeconds(-3),
            LastError = "Connection refused",
            LastErrorAt = s_now.AddSeconds(-3),
            NextAttemptAt = s_now.AddSeconds(7),
        };

        Assert.Contains(", next attempt in 7s\n", Format(connection));
        // The same status printed later says what is left then, never a frozen countdown.
        Assert.Contains(
            ", next attempt in 2s\n",
            StatusPrinter.Format(
                new AgentStatusView
                {
                    Version = "1.0",
                    StartedAt = s_now,
                    Connection = connection,
                    Workspaces = [],
                },
                s_now.AddSeconds(5)
            )
        );
    }

    [Fact]
    public void Format_Connected_NoNextAttempt()
    {
        var text = Format(
            new ConnectionStatusView
            {
                Server = "ws://h/ws/v1/edge",
                State = "connected",
                Since = s_now,
                NextAttemptAt = s_now.AddSeconds(7),
            }
        );

        Assert.DoesNotContain("next attempt", text);
    }
}
