using System.Text;
using FileSync.Edge.Tests.Filtering.Secrets;
using FileSync.Edge.Tests.Infrastructure;
using FileSync.Edge.Workspace;
using FileSync.Protocol;

namespace FileSync.Edge.Tests.Workspace.Pipeline;

/// <summary>
/// The secret guard in each place a file is read for sending: the initial sync, a live change, a rescan
/// and a manifest resume. A withheld file is never in a sent frame (body or manifest), is counted and named
/// in status with its rule, and a copy the server may hold is deleted.
/// </summary>
public sealed class SecretGuardPipelineTests : WorkspaceSyncFixture
{
    private static readonly (string Rule, string Text)[] s_samples =
    [
        .. SecretSamples.TruePositives(),
    ];

    [Fact]
    public async Task InitialSync_CredentialsByNameAndContent_NeverSentAndNamedInStatus()
    {
        _workspace.Write("a.txt", "plain");
        _workspace.Write(".env", "DATABASE_URL=postgres://app@db/app\n");
        _workspace.Write(".env.example", "DATABASE_URL=\n");
        _workspace.Write("keys/id_ed25519.pub", "ssh-ed25519 AAAA public\n");
        for (var i = 0; i < s_samples.Length; i++)
        {
            _workspace.Write(
                $"samples/{i}.txt",
                "line before\n" + s_samples[i].Text + "line after\n"
            );
        }
        var lookAlikes = SecretSamples.LookAlikes().ToList();
        for (var i = 0; i < lookAlikes.Count; i++)
        {
            _workspace.Write($"lookalikes/{i}.txt", lookAlikes[i].Text);
        }
        var manager = await StartAsync();

        _uplink.Connect();
        await WaitForDoneAsync();

        var sent = _uplink.RelativePathsOf(MessageTypes.FileCreateSync).ToHashSet();
        Assert.Contains("a.txt", sent);
        Assert.Contains(".env.example", sent);
        Assert.Contains("keys/id_ed25519.pub", sent);
        Assert.Equal(
            lookAlikes.Count,
            sent.Count(p => p.StartsWith("lookalikes/", StringComparison.Ordinal))
        );
        Assert.DoesNotContain(".env", sent);
        Assert.DoesNotContain(sent, p => p.StartsWith("samples/", StringComparison.Ordinal));
        AssertNoSecretInAnyFrame();

        await Wait.UntilAsync(
            () => manager.GetStatus().Withheld == s_samples.Length + 1,
            Wait.Generous,
            () => $"withheld {manager.GetStatus().Withheld}"
        );
        var withheld = manager.GetStatus().WithheldFiles!.ToDictionary(f => f.Path, f => f.Reason);
        Assert.Equal("env-file", withheld[".env"]);
        for (var i = 0; i < s_samples.Length; i++)
        {
            Assert.Equal(s_samples[i].Rule, withheld[$"samples/{i}.txt"]);
        }
    }

    [Fact]
    public async Task LiveChange_FileGainsASecret_DeletedOnTheServer_AndSentAgainOnceItIsGone()
    {
        _workspace.Write("settings.json", "{ \"region\": \"eu\" }\n");
        var manager = await StartAsync();
        _uplink.Connect();
        await WaitForDoneAsync();
        _uplink.Clear();

        _workspace.Write(
            "settings.json",
            "{ \"key\": \""
                + s_samples.First(s => s.Rule == "aws-access-key-id").Text.Trim()
                + "\" }\n"
        );
        Touch("settings.json");
        await Wait.UntilAsync(
            () => _uplink.RelativePathsOf(MessageTypes.FileDeleteSync).Contains("settings.json"),
            Wait.Generous,
            () => "a delete of settings.json"
        );
        await Wait.UntilAsync(
            () => manager.GetStatus().Withheld == 1,
            Wait.Generous,
            () => "withheld in status"
        );
        Assert.Equal("aws-access-key-id", manager.GetStatus().WithheldFiles!.Single().Reason);
        AssertNoSecretInAnyFrame();

        _workspace.Write("settings.json", "{ \"region\": \"us\" }\n");
        Touch("settings.json");
        await Wait.UntilAsync(
            () => _uplink.RelativePathsOf(MessageTypes.FileCreateSync).Contains("settings.json"),
            Wait.Generous,
            () => "settings.json sent again"
        );
        await Wait.UntilAsync(
            () => manager.GetStatus().Withheld == 0,
            Wait.Generous,
            () => "no longer withheld"
        );
    }

    [Fact]
    public async Task Rescan_ChangesTheWatcherMissed_SecretsWithheldAndDeleted()
    {
        _workspace.Write("notes.md", "# notes\n");
        var manager = await StartAsync();
        _uplink.Connect();
        await WaitForDoneAsync();
        _uplink.Clear();

        _workspace.Write(
            "notes.md",
            "# notes\n" + s_samples.First(s => s.Rule == "github-token").Text
        );
        _workspace.Write("new/id_rsa", "not even a key: the name is enough\n");
        _workspace.Write("new/ok.txt", "fine\n");
        manager.RequestRescan();
        await Wait.UntilAsync(
            () =>
                _uplink.RelativePathsOf(MessageTypes.FileDeleteSync).Contains("notes.md")
                && _uplink.RelativePathsOf(MessageTypes.FileCreateSync).Contains("new/ok.txt"),
            Wait.Generous,
            () => "the rescan's delete and create"
        );
        Assert.DoesNotContain("new/id_rsa", _uplink.RelativePathsOf(MessageTypes.FileCreateSync));
        await Wait.UntilAsync(
            () => manager.GetStatus().Withheld == 2,
            Wait.Generous,
            () => "two withheld"
        );
        AssertNoSecretInAnyFrame();
    }

    [Fact]
    public async Task ManifestResume_FileGainedASecretWhileOffline_LeftOutOfTheManifestAndNeverSent()
    {
        _workspace.Write("a.txt", "alpha");
        _workspace.Write("config/app.yaml", "name: app\n");
        var manager = await StartAsync();
        _uplink.Connect([Capabilities.Manifest]);
        await Wait.UntilAsync(
            () => _uplink.OfType(MessageTypes.Manifest).Count == 1,
            Wait.Generous,
            () => "the first manifest"
        );
        manager.OnManifestDiff(
            new ManifestDiffPayload { Path = Root, Need = ["a.txt", "config/app.yaml"] }
        );
        await WaitForDoneAsync();
        _uplink.Disconnect();
        _uplink.Clear();

        _workspace.Write(
            "config/app.yaml",
            "name: app\n" + s_samples.First(s => s.Rule == "private-key").Text
        );
        _uplink.Connect([Capabilities.Manifest]);
        await Wait.UntilAsync(
            () => _uplink.OfType(MessageTypes.Manifest).Count == 1,
            Wait.Generous,
            () => "the resume's manifest"
        );
        var listed = _uplink
            .OfType(MessageTypes.Manifest)
            .Single()
            .Payload.GetProperty("files")
            .EnumerateArray()
            .Select(f => f.GetProperty("relativePath").GetString())
            .ToList();
        Assert.Equal(["a.txt"], listed);
        // The server deletes what the manifest lacks; even if it asked for the file, it is not sent.
        manager.OnManifestDiff(new ManifestDiffPayload { Path = Root, Need = ["config/app.yaml"] });
        await WaitForDoneAsync();
        Assert.Empty(
            _uplink
                .OfType(MessageTypes.FileCreateSync)
                .Concat(_uplink.OfType(MessageTypes.FileModifySync))
        );
        Assert.Equal("private-key", manager.GetStatus().WithheldFiles!.Single().Reason);
        AssertNoSecretInAnyFrame();
    }

    [Fact]
    public async Task GuardOff_CredentialFilesAreSentLikeAnyOther()
    {
        _workspace.Write(".env", "A=1\n");
        var manager = await StartAsync(
            new SyncOptions
            {
                BatchMilliseconds = 20,
                SettleMilliseconds = 0,
                RescanMinutes = 0,
                SecretGuard = false,
            }
        );
        _uplink.Connect();
        await WaitForDoneAsync();
        Assert.Contains(".env", _uplink.RelativePathsOf(MessageTypes.FileCreateSync));
        Assert.Equal(0, manager.GetStatus().Withheld);
    }

    /// <summary>No frame (body, manifest, anything) carries any sample secret; says which frame, never the value.</summary>
    private void AssertNoSecretInAnyFrame()
    {
        var tokens = s_samples.Select(s => SecretSamples.Core(s.Text)).ToList();
        foreach (var message in _uplink.Sent)
        {
            var frame = message.Payload.GetRawText();
            var content =
                message.Payload.TryGetProperty("content", out var c)
                && c.ValueKind == System.Text.Json.JsonValueKind.String
                    ? c.GetString() ?? ""
                    : "";
            foreach (var token in tokens)
            {
                Assert.False(
                    frame.Contains(token, StringComparison.Ordinal)
                        || content.Contains(token, StringComparison.Ordinal),
                    $"a {message.Type} frame carries a sample secret"
                );
            }
        }
    }
}
