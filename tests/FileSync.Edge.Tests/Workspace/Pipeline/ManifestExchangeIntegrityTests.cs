using FileSync.Edge.Tests.Infrastructure;
using FileSync.Protocol;

namespace FileSync.Edge.Tests.Workspace.Pipeline;

/// <summary>
/// A manifest diff that cannot be followed as given (ManifestExchange): entries the server refuses count as
/// errors, and a needed file gone before it is sent becomes a delete.
/// </summary>
public sealed class ManifestExchangeIntegrityTests : WorkspaceSyncWithStateFixture
{
    [Fact]
    public async Task ManifestDiff_RefusedEntries_CountedAsErrorsNotAsSynced()
    {
        Write("ok.txt", "fine");
        Write("refused.txt", "the server cannot store this name");
        await StartAsync();
        _uplink.Connect(["manifest"]);
        await _uplink.WaitForSentAsync(MessageTypes.Manifest);

        _manager!.OnManifestDiff(
            new ManifestDiffPayload
            {
                Path = Root,
                Need = ["ok.txt"],
                Refused =
                [
                    new ManifestRefusal("refused.txt", ErrorCodes.UnsupportedName, "reserved name"),
                ],
            }
        );
        await WaitForDoneAsync();

        var stats = RecordingUplink.Stats(_uplink.OfType(MessageTypes.FileDone).Single());
        Assert.Equal(1, stats.GetProperty("syncErrors").GetInt32());
        Assert.Equal("refused.txt", Assert.Single(_manager.GetStatus().ErrorFiles!).Path);
        Assert.Equal(["ok.txt"], _uplink.RelativePathsOf(MessageTypes.FileCreateSync));
    }

    /// <summary>
    /// The churn's divergence: a file the server says it needs (it lacks it, or holds another version)
    /// vanishes before it is sent. The server may hold an old copy, so a delete must go out.
    /// </summary>
    [Fact]
    public async Task ManifestDiff_NeededFileGoneBeforeItIsSent_DeleteSent()
    {
        var full = Write("old-version.txt", "the server holds an older version of this");
        await StartAsync();
        _uplink.Connect(["manifest"]);
        await _uplink.WaitForSentAsync(MessageTypes.Manifest);

        File.Delete(full);
        _manager!.OnManifestDiff(
            new ManifestDiffPayload { Path = Root, Need = ["old-version.txt"] }
        );
        await WaitForDoneAsync();

        Assert.Equal(["old-version.txt"], _uplink.RelativePathsOf(MessageTypes.FileDeleteSync));
        Assert.Empty(_uplink.RelativePathsOf(MessageTypes.FileCreateSync));
    }
}
