using FileSync.Edge.Workspace;
using Xunit.Abstractions;

namespace FileSync.Edge.Tests.Workspace.Pipeline;

/// <summary>
/// An idle workspace sleeps: once its initial sync is done and nothing changes, no timer of its own
/// fires more often than once a second (the periodic rescan is the only periodic work). Stepped on a
/// fake clock, so this counts timer callbacks, not seconds.
/// </summary>
public sealed class IdleTimerTests(ITestOutputHelper output) : WorkspaceSyncFixture
{
    private static readonly TimeSpan s_idle = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task IdleWorkspace_WithTheDefaultOptions_FiresAtMostOneTimerASecond()
    {
        for (var i = 0; i < 20; i++)
        {
            _workspace.Write($"dir{i % 4}/file{i}.txt", $"content {i}");
        }
        var time = new TestTimeProvider();
        await StartAsync(new SyncOptions(), time);
        _uplink.Connect();
        await WaitForDoneAsync();
        time.Advance(TimeSpan.FromSeconds(1));
        _uplink.Clear();
        var firedBefore = time.FiredCount;

        for (var elapsed = TimeSpan.Zero; elapsed < s_idle; elapsed += TimeSpan.FromSeconds(1))
        {
            time.Advance(TimeSpan.FromSeconds(1));
        }

        var fired = time.FiredCount - firedBefore;
        output.WriteLine($"{fired} timer callbacks in {s_idle.TotalSeconds} idle seconds");
        Assert.True(
            fired <= s_idle.TotalSeconds,
            $"{fired} timer callbacks in {s_idle.TotalSeconds} idle seconds on the fake clock"
        );
        Assert.Empty(_uplink.Sent);
    }
}
