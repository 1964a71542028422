using System.Security.Cryptography;
using System.Text;
using FileSync.Edge.Workspace;
using FileSync.Protocol;

namespace FileSync.Edge.Tests.Workspace;

/// <summary>
/// When a recorded entry may be trusted (FileEntry.IsConclusiveMatch and its racy window): a same-size
/// edit with its mtime put back is still sent, whether reported, made while stopped, or found only by a
/// rescan or resync.
/// </summary>
public sealed class FileEntryIntegrityTests : WorkspaceSyncWithStateFixture
{
    /// <summary>Rewrites a file with new bytes of the same length and puts its old mtime back (as cp -p, rsync -t, tar x do).</summary>
    private static void SameSizeEditRestoringMtime(string full, string content)
    {
        var mtime = File.GetLastWriteTimeUtc(full);
        Assert.Equal(new FileInfo(full).Length, Encoding.UTF8.GetByteCount(content));
        File.WriteAllText(full, content);
        File.SetLastWriteTimeUtc(full, mtime);
        Assert.Equal(mtime, File.GetLastWriteTimeUtc(full));
    }

    /// <summary>Makes a file look old, so its entry is not "racy" and only its ctime can tell a change.</summary>
    private static void Age(string full) =>
        File.SetLastWriteTimeUtc(full, DateTime.UtcNow.AddMinutes(-10));

    [Fact]
    public async Task SameSizeEditWithRestoredMtime_ChangeNotified_ContentSent()
    {
        var full = Write("a.txt", "version-1");
        Age(full);
        await StartAsync();
        _uplink.Connect();
        await WaitForDoneAsync();

        SameSizeEditRestoringMtime(full, "version-2");
        FakeWatcher.RaiseChanged(full);

        await ServerHasAsync("a.txt", "version-2");
    }

    [Fact]
    public async Task SameSizeEditWithRestoredMtime_WhileStopped_SentAfterRestart()
    {
        var full = Write("a.txt", "version-1");
        Age(full);
        await StartAsync(persistIndex: true);
        _uplink.Connect();
        await WaitForDoneAsync();
        await StopAsync();

        SameSizeEditRestoringMtime(full, "version-2");
        _uplink.Clear();
        await StartAsync(persistIndex: true);
        // A manifest server: what the agent believes the file holds shows in the manifest (a legacy one re-sends everything anyway).
        _uplink.Connect(["manifest"]);
        await _uplink.WaitForSentAsync(MessageTypes.Manifest);

        var entry = _uplink
            .OfType(MessageTypes.Manifest)
            .Single()
            .Payload.GetProperty("files")
            .EnumerateArray()
            .Single();
        Assert.Equal(
            Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("version-2"u8)),
            entry.GetProperty("hash").GetString()
        );
    }

    [Fact]
    public async Task SameSizeEditWithRestoredMtime_NoEvent_SentByResyncAndByRescan()
    {
        var a = Write("a.txt", "version-1");
        var b = Write("b.txt", "version-1");
        Age(a);
        Age(b);
        await StartAsync();
        _uplink.Connect(["manifest"]);
        await _uplink.WaitForSentAsync(MessageTypes.Manifest);
        _manager!.OnManifestDiff(
            new ManifestDiffPayload { Path = Root, Need = ["a.txt", "b.txt"] }
        );
        await WaitForDoneAsync();

        SameSizeEditRestoringMtime(a, "version-2");
        _manager.RequestRescan(); // the periodic reconciliation
        await ServerHasAsync("a.txt", "version-2");

        SameSizeEditRestoringMtime(b, "version-2");
        _manager.RequestResync(); // workspace:resync
        await Wait.UntilAsync(
            () => _uplink.OfType(MessageTypes.Manifest).Count > 1,
            Wait.Generous,
            () => "the resync's manifest"
        );
        var manifest = _uplink.OfType(MessageTypes.Manifest).Last();
        var entry = manifest
            .Payload.GetProperty("files")
            .EnumerateArray()
            .Single(f => f.GetProperty("relativePath").GetString() == "b.txt");
        Assert.Equal(
            Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("version-2"u8)),
            entry.GetProperty("hash").GetString()
        );
    }

    [Fact]
    public void FileEntry_RecordedWithinTheRacyWindowOfItsMtime_IsNotConclusive()
    {
        var mtime = new DateTime(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc).Ticks;
        var stamp = new FileStamp(FileKind.RegularFile, 10, mtime, mtime, 42);
        var racy = new FileEntry(
            10,
            mtime,
            "h",
            mtime,
            42,
            mtime + TimeSpan.FromMilliseconds(300).Ticks
        );
        var settled = racy with { RecordedTicks = mtime + TimeSpan.FromSeconds(5).Ticks };

        Assert.True(racy.IsRacy);
        Assert.False(racy.IsConclusiveMatch(stamp));
        Assert.True(settled.IsConclusiveMatch(stamp));
        Assert.False(settled.IsConclusiveMatch(stamp with { CtimeTicks = mtime + 1 }));
        Assert.False(settled.IsConclusiveMatch(stamp with { FileId = 43 }));
        Assert.False(settled.IsConclusiveMatch(stamp with { Size = 11 }));
        Assert.False((settled with { RecordedTicks = 0 }).IsConclusiveMatch(stamp));

        // Sub-second timestamps: a tenth of a second is enough to be past the file system's clock tick.
        var fine = mtime + 1234;
        var fineEntry = new FileEntry(
            10,
            fine,
            "h",
            fine,
            42,
            fine + TimeSpan.FromMilliseconds(300).Ticks
        );
        Assert.False(fineEntry.IsRacy);
        Assert.True(
            (fineEntry with { RecordedTicks = fine + TimeSpan.FromMilliseconds(50).Ticks }).IsRacy
        );
    }
}
