using FileSync.Protocol;

namespace FileSync.Edge.Tests.Control;

/// <summary>
/// Starting, stopping and resyncing workspaces on the server's word (WorkspaceCommands): a config update
/// starts and stops to match and refuses each bad path, a start follows a link to the real folder and
/// refuses forbidden roots, a stop or resync of what is not running is an error.
/// </summary>
public sealed class WorkspaceCommandsTests(ITestOutputHelper output)
    : ControlDispatcherFixture(output)
{
    [Fact]
    public async Task ConfigUpdate_MixedPaths_StartsAndStopsToMatchAndRefusesEachBadPath()
    {
        var toRoot = Path.Combine(_scratch.Path, "to-root");
        Directory.CreateSymbolicLink(toRoot, "/");
        var missing = Path.Combine(_scratch.Path, "missing");
        var paths = new[]
        {
            _b,
            missing,
            "relative/dir",
            "/",
            toRoot,
            _b,
            Path.Combine(_a, "..", "ws-b"),
        };

        var replies = await SendAsync(
            Command(
                MessageTypes.ConfigUpdate,
                $$"""{"workspacepaths":[{{string.Join(",", paths.Select(Quote))}}]}"""
            )
        );

        Assert.Equal([_b], ActiveRoots);
        Assert.All(replies, r => Assert.Equal(MessageTypes.SyncError, r.Type));
        Assert.Equal(
            new (string?, string?)[]
            {
                (missing, ErrorCodes.NotFound),
                ("relative/dir", ErrorCodes.ForbiddenPath),
                ("/", ErrorCodes.ForbiddenPath),
                (toRoot, ErrorCodes.ForbiddenPath),
            },
            replies.Select(r => (Text(r, "path"), Text(r, "code"))).ToArray()
        );
        Assert.Equal([_b], _store.Saved);
    }

    [Fact]
    public async Task SyncStart_LinkToAFolder_StartsTheRealFolderAndRemembersIt()
    {
        var alias = Path.Combine(_scratch.Path, "alias-b");
        Directory.CreateSymbolicLink(alias, _b);

        var replies = await SendAsync(PathCommand(MessageTypes.SyncStart, alias));

        Assert.Empty(replies);
        Assert.Equal([_a, _b], ActiveRoots);
        Assert.Equal([_b], _store.Saved);
        Assert.Empty(await SendAsync(PathCommand(MessageTypes.SyncStart, _b)));
        Assert.Equal([_a, _b], ActiveRoots);
        Assert.Equal(1, _store.Saves);
    }

    public static TheoryData<string, string> RefusedRoots =>
        new()
        {
            { "/", ErrorCodes.ForbiddenPath },
            { "TO-ROOT", ErrorCodes.ForbiddenPath },
            { "relative/dir", ErrorCodes.ForbiddenPath },
            { "\\\\server\\share", ErrorCodes.ForbiddenPath },
            { "MISSING", ErrorCodes.NotFound },
            { "FILE", ErrorCodes.ForbiddenPath },
            { "INSIDE-A", ErrorCodes.ForbiddenPath },
            { "TEMP", ErrorCodes.ForbiddenPath },
        };

    [Theory]
    [MemberData(nameof(RefusedRoots))]
    public async Task SyncStart_RefusedRoot_OneSyncErrorAndNothingStarted(string path, string code)
    {
        Directory.CreateSymbolicLink(Path.Combine(_scratch.Path, "to-root"), "/");
        path = path switch
        {
            "TO-ROOT" => Path.Combine(_scratch.Path, "to-root"),
            "MISSING" => Path.Combine(_scratch.Path, "missing"),
            "FILE" => Path.Combine(_outside, "canary.txt"),
            "INSIDE-A" => Path.Combine(_a, "sub"),
            "TEMP" => Path.Combine(_scratch.Path, ".."),
            _ => path,
        };

        var replies = await SendAsync(PathCommand(MessageTypes.SyncStart, path));

        var error = Assert.Single(replies);
        Assert.Equal(MessageTypes.SyncError, error.Type);
        Assert.Equal(code, Text(error, "code"));
        Assert.Equal([_a], ActiveRoots);
        Assert.Equal(0, _store.Saves);
    }

    [Fact]
    public async Task SyncStop_ActiveWorkspace_StoppedAndForgotten()
    {
        _store.Saved = [_a, _b];

        var replies = await SendAsync(PathCommand(MessageTypes.SyncStop, _a + "/"));

        Assert.Empty(replies);
        Assert.Empty(ActiveRoots);
        Assert.Equal([_b], _store.Saved);
    }

    [Fact]
    public async Task SyncStop_NotActive_NotFoundSyncError()
    {
        var replies = await SendAsync(PathCommand(MessageTypes.SyncStop, _b));

        var error = Assert.Single(replies);
        Assert.Equal(ErrorCodes.NotFound, Text(error, "code"));
        Assert.Equal([_a], ActiveRoots);
    }

    [Fact]
    public async Task Resync_ActiveWorkspace_RunsAFullSyncAgain()
    {
        var doneBefore = _uplink.OfType(MessageTypes.FileDone).Count;
        var sentBefore = _uplink.Sent.Count;

        var replies = await SendAsync(PathCommand(MessageTypes.Resync, _a));

        Assert.Empty(replies);
        await Wait.UntilAsync(
            () => _uplink.OfType(MessageTypes.FileDone).Count > doneBefore,
            Wait.Generous,
            () => "a second file_done"
        );
        Assert.Contains(
            _uplink.Sent.Skip(sentBefore),
            m => m.Type == MessageTypes.FileCreateSync && Text(m, "relativePath") == "hello.txt"
        );
    }

    [Theory]
    [InlineData("ws-b")]
    [InlineData("ws-a/sub")]
    [InlineData("relative")]
    public async Task Resync_NotAnActiveWorkspace_OneSyncError(string path)
    {
        var replies = await SendAsync(
            PathCommand(
                MessageTypes.Resync,
                path == "relative" ? path : Path.Combine(_scratch.Path, path)
            )
        );

        var error = Assert.Single(replies);
        Assert.Equal(MessageTypes.SyncError, error.Type);
    }
}
