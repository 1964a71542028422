using FileSync.Edge.Local;
using FileSync.Testing;
using FileSync.Tray.Notifications;
using FileSync.Tray.State;

namespace FileSync.Edge.Tests.Tray;

/// <summary>What the tray says: titles with the key fact, progress, plurals, reasons kept whole, and which notifications a run of statuses raises.</summary>
public sealed class TrayTextsTests
{
    private static readonly DateTimeOffset s_now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static AgentStatusView Status(params WorkspaceStatusView[] workspaces) =>
        new()
        {
            Version = "1",
            Connection = new ConnectionStatusView
            {
                Server = "wss://host/ws/v1/edge",
                State = "connected",
                Since = s_now,
            },
            Workspaces = workspaces,
        };

    private static WorkspaceStatusView Workspace(string name, string state = "watching") =>
        new()
        {
            Path = "/w/" + name,
            Name = name,
            State = state,
            Files = 1,
        };

    [Fact]
    public void Pausing_ShowsAsPausing_AndTheMenuOffersResume()
    {
        var pausing = Workspace("big", "syncing") with
        {
            Pausing = true,
            Progress = new SyncProgressView { FilesDone = 340, FilesTotal = 1800 },
        };
        var view = TrayStateMapper.Map(Status(pausing), null);
        Assert.Equal(TrayKind.Paused, view.Kind);
        Assert.Equal("FileSync: pausing", view.Title);
        Assert.Equal("pausing 340/1,800 files", TrayMenuBuilder.Describe(pausing));
        var menu = TrayMenuBuilder.Build(Status(pausing), null);
        Assert.Contains(menu, i => i.Action == TrayAction.Resume);
        Assert.DoesNotContain(menu, i => i.Action == TrayAction.Pause);
    }

    [Fact]
    public void Title_CarriesTheKeyFact()
    {
        Assert.Equal(
            "FileSync: big2 missing",
            TrayStateMapper.Map(Status(Workspace("big"), Workspace("big2", "missing")), null).Title
        );
        Assert.Equal(
            "FileSync: big2 refused (+1 more)",
            TrayStateMapper
                .Map(Status(Workspace("big2", "refused"), Workspace("c", "rootchanged")), null)
                .Title
        );
        Assert.Equal(
            "FileSync: 1 file failing in a",
            TrayStateMapper.Map(Status(Workspace("a") with { Errors = 1 }), null).Title
        );
        Assert.Equal(
            "FileSync: key rejected",
            TrayStateMapper
                .Map(null, "No agent runs.", TrayStateMapper.AuthenticationRejectedExitCode)
                .Title
        );
        Assert.Equal("FileSync: agent exited (1)", TrayStateMapper.Map(null, "x", 1).Title);
        Assert.Equal("FileSync: agent not running", TrayStateMapper.Map(null, "x").Title);
        var offline = Status(Workspace("a")) with
        {
            Connection = Status().Connection with
            {
                State = "reconnecting",
                LastError = "Connection refused",
                LastErrorAt = s_now,
            },
        };
        var view = TrayStateMapper.Map(offline, null);
        Assert.Equal("FileSync: offline, reconnecting", view.Title);
        Assert.Contains("the agent keeps retrying", view.Text);
        Assert.DoesNotContain("Reconnecting in", view.Text); // no countdown frozen at poll time
        Assert.Contains($"Last error ({TrayText.Clock(s_now)}): Connection refused", view.Text);
    }

    [Fact]
    public void Progress_ShowsInTitleTooltipAndMenu()
    {
        var syncing = Workspace("big", "syncing") with
        {
            Files = 340,
            Progress = new SyncProgressView
            {
                FilesDone = 340,
                FilesTotal = 1800,
                BytesDone = 1_200_000,
                BytesTotal = 4_000_000,
            },
        };
        var view = TrayStateMapper.Map(Status(syncing, Workspace("small")), null);
        Assert.Equal(TrayKind.Syncing, view.Kind);
        Assert.Equal("FileSync: syncing 340/1,800", view.Title);
        Assert.Contains("big: 340 of 1,800 files, 1.2 MB of 4.0 MB", view.Text);
        var menu = TrayMenuBuilder.Build(Status(syncing, Workspace("small")), null);
        Assert.Contains(menu, i => i.Label == "big — syncing 340/1,800 files");
        Assert.Contains(menu, i => i.Label == "small — watching (1 file)");

        var scanning = syncing with { Progress = new SyncProgressView() };
        Assert.Equal("FileSync: syncing", TrayStateMapper.Map(Status(scanning), null).Title);
        var pending = Workspace("a") with { Pending = 1 };
        Assert.Equal(
            "FileSync: syncing 1 change",
            TrayStateMapper.Map(Status(pending), null).Title
        );
    }

    [Fact]
    public void Counts_UseSingularForOne()
    {
        Assert.Equal("1 file", TrayText.Count(1, "file"));
        Assert.Equal("2 files", TrayText.Count(2, "file"));
        Assert.Equal("0 files", TrayText.Count(0, "file"));
        Assert.Equal("1,800 files", TrayText.Count(1800, "file"));
        Assert.Equal(
            "1 workspace, 1 file, 0 B; 0 pending, 0 skipped, 1 error",
            TrayStateMapper.Counts([Workspace("a") with { Errors = 1 }])
        );
        var menu = TrayMenuBuilder.Build(Status(Workspace("a") with { Errors = 1 }), null);
        Assert.Contains(menu, i => i.Label == "a — watching, 1 error");
    }

    [Fact]
    public void Menu_LongReasons_AreWrappedWhole()
    {
        var reason =
            "could not start /home/someone/.local/bin/filesync-edge: the file is not an executable for this machine (Exec format error); reinstall it with installer/linux/install.sh";
        var menu = TrayMenuBuilder.Build(null, reason);
        var lines = menu.Where(i =>
                i.Id >= TrayMenuBuilder.ReasonId && i.Id < TrayMenuBuilder.ReasonId + 10
            )
            .ToList();
        Assert.True(lines.Count > 1);
        Assert.All(lines, l => Assert.True(l.Label.Length <= 74 && !l.Enabled));
        Assert.Equal(reason, string.Join(' ', lines.Select(l => l.Label.Trim())));
        Assert.Equal(lines.Count, lines.Select(l => l.Id).Distinct().Count());

        var refused = Workspace("big", "refused") with
        {
            LastError =
                "Workspace /w/big has 2,500 files, more than the limit of 2,000: not synced. Exclude folders in .aishignore or raise --max-files",
        };
        var withReason = TrayMenuBuilder.Build(Status(refused), null);
        Assert.EndsWith(
            "raise --max-files",
            withReason.Where(i => i.Id >= TrayMenuBuilder.FirstWorkspaceReasonId).Last().Label
        );

        Assert.Equal(["a", "b"], TrayText.Wrap("a b", width: 1));
        var cut = TrayText.Wrap(new string('x', 50), width: 10, maxLines: 2);
        Assert.Equal(["xxxxxxxxxx", "xxxxxxxxx…"], cut);
    }

    [Fact]
    public void Menu_Starting_SaysSoWithoutAlarm()
    {
        var menu = TrayMenuBuilder.Build(null, "Starting the agent…", starting: true);
        Assert.Equal("Agent starting…", menu[0].Label);
        var view = TrayStateMapper.Starting("Starting the agent…");
        Assert.Equal((TrayKind.Starting, TrayStateMapper.Active), (view.Kind, view.Status));
    }

    [Fact]
    public void Notifications_OnePerCause_OneOnRecovery_NeverPerFile()
    {
        var time = new TestTimeProvider();
        var tracker = new NotificationTracker(time);
        const string Log = "/state/filesync-edge.log";
        var ok = Status(Workspace("a"), Workspace("b"));
        Assert.Empty(tracker.Observe(ok, null, false, Log));

        var refused = Workspace("b", "refused") with
        {
            LastError = "2,500 files, more than the limit of 2,000",
        };
        var raised = tracker.Observe(Status(Workspace("a"), refused), null, false, Log);
        var one = Assert.Single(raised);
        Assert.Equal("FileSync: b is not synced", one.Summary);
        Assert.Contains("2,500 files, more than the limit of 2,000", one.Body);
        Assert.Empty(tracker.Observe(Status(Workspace("a"), refused), null, false, Log)); // not repeated

        // Files failing: only after a minute, once, naming the files, however many fail.
        var failing = Workspace("a") with
        {
            Errors = 5,
            ErrorFiles =
            [
                .. Enumerable
                    .Range(1, 5)
                    .Select(i => new FileProblemView($"f{i}.txt", "server said 500")),
            ],
        };
        Assert.Empty(tracker.Observe(Status(failing, refused), null, false, Log));
        time.Advance(TimeSpan.FromSeconds(59));
        Assert.Empty(tracker.Observe(Status(failing, refused), null, false, Log));
        time.Advance(TimeSpan.FromSeconds(1));
        var files = Assert.Single(tracker.Observe(Status(failing, refused), null, false, Log));
        Assert.Equal("FileSync: 5 files failing in a", files.Summary);
        Assert.Equal(
            "f1.txt: server said 500; f2.txt: server said 500; f3.txt: server said 500; and 2 more (Show status)",
            files.Body
        );
        time.Advance(TimeSpan.FromMinutes(5));
        Assert.Empty(
            tracker.Observe(Status(failing with { Errors = 6 }, refused), null, false, Log)
        );

        var recovered = Assert.Single(tracker.Observe(ok, null, false, Log));
        Assert.True(recovered.IsRecovery);
        Assert.Equal("FileSync: syncing again", recovered.Summary);
        Assert.Contains("b syncs again.", recovered.Body);
        Assert.Contains("a: no more failing files.", recovered.Body);
        Assert.Empty(tracker.Observe(ok, null, false, Log));

        // The agent: rejected key, once; not when the person quit it; back once it answers.
        Assert.Empty(tracker.Observe(null, 0, stopExpected: true, Log));
        var key = Assert.Single(tracker.Observe(null, 3, false, Log));
        Assert.Equal("FileSync: API key rejected", key.Summary);
        Assert.Contains(Log, key.Body);
        Assert.Empty(tracker.Observe(null, 3, false, Log));
        Assert.Equal(
            "FileSync: syncing again",
            Assert.Single(tracker.Observe(ok, null, false, Log)).Summary
        );
        var exited = Assert.Single(tracker.Observe(null, 1, false, Log));
        Assert.Equal("FileSync: the agent exited", exited.Summary);
        Assert.Contains("code 1", exited.Body);
    }
}
