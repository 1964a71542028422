using System.Text.Json;
using FileSync.Edge.Tests.Filtering.Secrets;
using FileSync.Edge.Tests.Local;

namespace FileSync.Edge.Tests.EndToEnd;

/// <summary>
/// The secret guard with the real agent and the real reference server: a credential never reaches the
/// mirror, <c>status</c> names it with its rule, a file that gains a secret is deleted on the server,
/// <c>Sync:SecretGuardAllow</c> sends it, and a guard newer than the saved index (here: turned on after a
/// run without it) deletes what the server got before.
/// </summary>
public sealed class SecretGuardEndToEndTests(ITestOutputHelper output) : LocalTestBase(output)
{
    private static readonly (string Rule, string Text)[] s_samples =
    [
        .. SecretSamples.TruePositives(),
    ];

    private static string Sample(string rule) => s_samples.First(s => s.Rule == rule).Text;

    [Fact]
    public async Task RealAgent_SecretsWithheldNamedDeletedOnceGainedAndSentWhenAllowed()
    {
        await StartServerAsync();
        var workspace = NewWorkspace();
        workspace.Write("a.txt", "plain\n");
        workspace.Write(".env", "DATABASE_PASSWORD=hunter2\n");
        workspace.Write("config/prod.key", Sample("private-key"));
        workspace.Write("settings.json", "{ \"region\": \"eu\" }\n");
        var mirror = MirrorOf(workspace);
        await StartLocalAgentAsync([workspace.Path]);

        await Wait.UntilAsync(
            () =>
                File.Exists(Path.Combine(mirror, "a.txt"))
                && File.Exists(Path.Combine(mirror, "settings.json")),
            Wait.Generous,
            () => "the plain files in the mirror"
        );
        var (_, status) = await WaitForWithheldAsync(workspace, 2);
        var withheld = WithheldOf(status, workspace);
        Assert.Equal("env-file", withheld[".env"]);
        Assert.Equal("private-key", withheld["config/prod.key"]);
        var table = await CliAsync("status");
        Assert.Contains("withheld: .env (env-file)", table.Stdout);
        Assert.Contains("withheld: config/prod.key (private-key)", table.Stdout);
        Assert.False(File.Exists(Path.Combine(mirror, ".env")));
        Assert.False(File.Exists(Path.Combine(mirror, "config", "prod.key")));

        // A synced file gains a secret: deleted on the server, counted.
        workspace.Write(
            "settings.json",
            "{ \"key\": \"" + SecretSamples.Core(Sample("aws-access-key-id")) + "\" }\n"
        );
        await Wait.UntilAsync(
            () => !File.Exists(Path.Combine(mirror, "settings.json")),
            Wait.Generous,
            () => "settings.json deleted in the mirror"
        );
        (_, status) = await WaitForWithheldAsync(workspace, 3);
        Assert.Equal("aws-access-key-id", WithheldOf(status, workspace)["settings.json"]);
        var logs = await CliAsync("logs");
        Assert.Contains(
            "settings.json withheld by the secret guard, rule aws-access-key-id",
            logs.Stdout
        );
        AssertNoSampleIn(mirror, logs.Stdout);

        // The user allows it: after a restart with the allow pattern it is sent.
        Assert.Equal(0, (await CliAsync("stop")).ExitCode);
        File.WriteAllText(ConfigFile, """{ "Sync": { "SecretGuardAllow": ["settings.json"] } }""");
        await StartLocalAgentAsync([workspace.Path]);
        await Wait.UntilAsync(
            () => File.Exists(Path.Combine(mirror, "settings.json")),
            Wait.Generous,
            () => "the allowed settings.json in the mirror"
        );
        (_, status) = await WaitForWithheldAsync(workspace, 2);
        Assert.DoesNotContain("settings.json", WithheldOf(status, workspace).Keys);
        Assert.Contains(
            "lets these paths through (Sync:SecretGuardAllow): settings.json",
            (await CliAsync("logs")).Stdout
        );
        Assert.False(File.Exists(Path.Combine(mirror, ".env")));
    }

    [Fact]
    public async Task GuardTurnedOnAfterARunWithout_WhatTheServerGotBeforeIsDeleted()
    {
        await StartServerAsync();
        var workspace = NewWorkspace();
        workspace.Write("a.txt", "plain\n");
        workspace.Write(".env", "TOKEN=1\n");
        workspace.Write("notes.txt", "see " + SecretSamples.Core(Sample("github-token")) + "\n");
        var mirror = MirrorOf(workspace);
        File.WriteAllText(ConfigFile, """{ "Sync": { "SecretGuard": false } }""");
        await StartLocalAgentAsync([workspace.Path]);
        await Wait.UntilAsync(
            () =>
                File.Exists(Path.Combine(mirror, ".env"))
                && File.Exists(Path.Combine(mirror, "notes.txt")),
            Wait.Generous,
            () => "everything mirrored with the guard off"
        );
        Assert.Contains("The secret guard is off", (await CliAsync("logs")).Stdout);
        Assert.Equal(0, (await CliAsync("stop")).ExitCode);

        // Same saved index, guard on: the index was checked by no guard, so every file is read again.
        File.Delete(ConfigFile);
        await StartLocalAgentAsync([workspace.Path]);
        await Wait.UntilAsync(
            () =>
                !File.Exists(Path.Combine(mirror, ".env"))
                && !File.Exists(Path.Combine(mirror, "notes.txt")),
            Wait.Generous,
            () => "the credentials deleted in the mirror"
        );
        Assert.True(File.Exists(Path.Combine(mirror, "a.txt")));
        var (_, status) = await WaitForWithheldAsync(workspace, 2);
        Assert.Equal("github-token", WithheldOf(status, workspace)["notes.txt"]);
    }

    private async Task<(int ExitCode, JsonElement Status)> WaitForWithheldAsync(
        TempDirectory workspace,
        int count
    )
    {
        (int, JsonElement) result = default;
        await Wait.UntilAsync(
            async () =>
            {
                result = await StatusJsonAsync();
                return WorkspaceOf(result.Item2, Path.GetFileName(workspace.Path))
                        .GetProperty("withheld")
                        .GetInt32() == count;
            },
            Wait.Generous,
            () => $"{count} withheld files in status: {result.Item2}"
        );
        return result;
    }

    private static Dictionary<string, string> WithheldOf(
        JsonElement status,
        TempDirectory workspace
    ) =>
        WorkspaceOf(status, Path.GetFileName(workspace.Path))
            .GetProperty("withheldFiles")
            .EnumerateArray()
            .ToDictionary(
                f => f.GetProperty("path").GetString()!,
                f => f.GetProperty("reason").GetString()!
            );

    /// <summary>No mirror file and not the log holds any sample secret (says where, never the value).</summary>
    private static void AssertNoSampleIn(string mirror, string log)
    {
        var cores = s_samples.Select(s => SecretSamples.Core(s.Text)).ToList();
        foreach (var file in Directory.EnumerateFiles(mirror, "*", SearchOption.AllDirectories))
        {
            var text = File.ReadAllText(file);
            Assert.False(
                cores.Any(c => text.Contains(c, StringComparison.Ordinal)),
                $"{file} holds a sample secret"
            );
        }
        Assert.False(
            cores.Any(c => log.Contains(c, StringComparison.Ordinal)),
            "the log holds a sample secret"
        );
    }
}
