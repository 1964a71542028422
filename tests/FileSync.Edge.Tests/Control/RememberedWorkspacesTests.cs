using FileSync.Protocol;
using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Tests.Control;

/// <summary>
/// The remembered workspace list behind the commands (RememberedWorkspaces): a remembered root that is not
/// running is forgotten without an error, and a store that cannot be written is a warning, never a failure.
/// </summary>
public sealed class RememberedWorkspacesTests(ITestOutputHelper output)
    : ControlDispatcherFixture(output)
{
    [Fact]
    public async Task SyncStop_RememberedButNotRunning_ForgottenWithoutError()
    {
        _store.Saved = [_b];

        var replies = await SendAsync(PathCommand(MessageTypes.SyncStop, _b));

        Assert.Empty(replies);
        Assert.Empty(_store.Saved);
    }

    [Fact]
    public async Task SyncStart_StoreCannotBeWritten_StartedAndOneWarning()
    {
        _store.Fail = true;

        var replies = await SendAsync(PathCommand(MessageTypes.SyncStart, _b));

        Assert.Empty(replies);
        Assert.Equal([_a, _b], ActiveRoots);
        var warning = Assert.Single(_logs.Entries, e => e.EventId.Id == 406);
        Assert.Equal(LogLevel.Warning, warning.Level);
    }
}
