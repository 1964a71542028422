using FileSync.Edge.Tests.Infrastructure;
using FileSync.Edge.Workspace;
using FileSync.Protocol;

namespace FileSync.Edge.Tests.Workspace.Pipeline;

/// <summary>
/// What a scan and a listing leave out (ChangePlanner's full scan, WorkspaceQueries): names the protocol
/// cannot carry are skipped, counted and named with escapes; a FIFO is not listed.
/// </summary>
public sealed class WorkspaceScanIntegrityTests : WorkspaceSyncWithStateFixture
{
    [LinuxFact("other file systems store names as Unicode: there is no such name to make")]
    public async Task InvalidUtf8Names_SkippedCountedAndNamedWithEscapes()
    {
        Write("good.txt", "fine");
        Directory.CreateDirectory(Path.Combine(Root, "sub"));
        // "caf\xE9.txt" (Latin-1), a CESU-8 surrogate and a folder with a Latin-1 name holding a file.
        RunBash(
            Root,
            "touch \"$(printf 'caf\\xe9.txt')\" \"sub/$(printf 'x\\xed\\xa0\\x80y')\" && mkdir \"$(printf 'd\\xe9r')\" && echo hi > \"$(printf 'd\\xe9r')/inner.txt\""
        );
        await StartAsync();
        _uplink.Connect();
        await WaitForDoneAsync();

        Assert.Equal(["good.txt"], _uplink.RelativePathsOf(MessageTypes.FileCreateSync));
        var skipped = _manager!
            .GetStatus()
            .SkippedFiles!.Where(s => s.Reason == SkipReasons.InvalidName)
            .Select(s => s.Path)
            .Order(StringComparer.Ordinal);
        Assert.Equal(["caf\\xE9.txt", "d\\xE9r", "sub/x\\xED\\xA0\\x80y"], skipped);
        Assert.Equal(
            3,
            RecordingUplink
                .Stats(_uplink.OfType(MessageTypes.FileDone).Single())
                .GetProperty("filesSkipped")
                .GetInt32()
        );
    }

    [UnixFact("Windows has no FIFOs")]
    public async Task ListFiles_FifoInWorkspace_NotListed()
    {
        Write("a.txt", "file");
        RunBash(Root, "mkfifo pipe");
        await StartAsync();

        Assert.Equal(["a.txt"], _manager!.ListFiles());
    }
}
