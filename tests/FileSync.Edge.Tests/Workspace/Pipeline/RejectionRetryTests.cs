using FileSync.Edge.Tests.Infrastructure;
using FileSync.Edge.Workspace;

namespace FileSync.Edge.Tests.Workspace.Pipeline;

/// <summary>
/// A file the server rejects (RejectionRetrier): counted at once, sent again with a growing backoff and
/// forgotten as an error once the server stays silent about it.
/// </summary>
public sealed class RejectionRetryTests : WorkspaceSyncFixture
{
    [Fact]
    public async Task ServerRejectsAFile_CountedAtOnceAndSentAgainWithGrowingBackoffUntilApplied()
    {
        _workspace.Write("a.txt", "a");
        _workspace.Write("b.txt", "b");
        var time = new TestTimeProvider();
        var manager = await StartAsync(DefaultTiming(), time);
        _uplink.Connect();
        await WaitForDoneAsync();

        var gaps = new List<TimeSpan>();
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            _uplink.Clear();
            manager.OnServerRejected("a.txt", "write_failed", "disk full");
            manager.OnServerRejected(
                "../outside.txt",
                "write_failed",
                "a path this agent never sends: ignored"
            );
            await AdvanceUntilAsync(
                time,
                () => manager.GetStatus().Errors == 1,
                $"the error counted at once ({attempt})"
            );
            var rejectedAt = time.GetTimestamp();
            await AdvanceUntilAsync(time, () => !_uplink.Sent.IsEmpty, $"resend {attempt}");
            gaps.Add(time.GetElapsedTime(rejectedAt));
            var resent = Assert.Single(_uplink.Sent);
            Assert.Equal("a.txt", resent.Payload.GetProperty("relativePath").GetString());
            Assert.Equal("a", RecordingUplink.Text(resent));
            Assert.Equal(1, manager.GetStatus().Errors);
            Assert.Contains("disk full", manager.GetStatus().ErrorFiles![0].Reason);
        }
        // 1, 2, 4, 8, 16 s (each within the batch interval and the clock's step), and never given up.
        for (var i = 0; i < gaps.Count; i++)
        {
            Assert.InRange(gaps[i].TotalSeconds, 1 << i, (1 << i) + 1.5);
        }

        // The last send is not rejected: once the server has been silent about it, it counts as applied.
        await AdvanceUntilAsync(time, () => manager.GetStatus().Errors == 0, "the error cleared");
        _workspace.Write("b.txt", "b2");
        Touch("b.txt");
        _uplink.Clear();
        await AdvanceUntilAsync(time, () => !_uplink.Sent.IsEmpty, "the next change");
        Assert.Equal(
            ["b.txt"],
            _uplink.Sent.Select(m => m.Payload.GetProperty("relativePath").GetString())
        );
    }
}
