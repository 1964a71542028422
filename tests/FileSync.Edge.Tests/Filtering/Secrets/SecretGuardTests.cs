using System.Text;
using FileSync.Edge.Filtering.Secrets;

namespace FileSync.Edge.Tests.Filtering.Secrets;

/// <summary>
/// The secret guard's rules on a corpus: every content rule finds its format wherever it stands in a file,
/// the look-alikes (public keys, the vendors' documented fake keys, placeholders, base64, UUIDs, hashes)
/// pass, the name rules match the credential files and not their templates, and the allow list lets
/// paths through. Assertions name rule ids and sample descriptions, never the values.
/// </summary>
public sealed class SecretGuardTests
{
    private static readonly SecretGuard s_guard = new(enabled: true);

    public static TheoryData<int> TruePositiveIndexes() =>
        [.. Enumerable.Range(0, SecretSamples.TruePositives().Count())];

    public static TheoryData<int> LookAlikeIndexes() =>
        [.. Enumerable.Range(0, SecretSamples.LookAlikes().Count())];

    [Theory]
    [MemberData(nameof(TruePositiveIndexes))]
    public void CheckContent_EachTokenFormat_WithheldByItsRule(int index)
    {
        var (rule, text) = SecretSamples.TruePositives().ElementAt(index);
        Assert.Equal(rule, s_guard.CheckContent("settings.txt", Encoding.UTF8.GetBytes(text))?.Id);
    }

    [Theory]
    [MemberData(nameof(TruePositiveIndexes))]
    public void CheckContent_TokenAtEveryOffsetOfLongAndShortFiles_Found(int index)
    {
        // The vector loop covers 16 or 32 bytes a step and a scalar loop the tail: a token must be found
        // across every boundary, at the very start and at the very end.
        var (rule, text) = SecretSamples.TruePositives().ElementAt(index);
        var filler = Encoding.UTF8.GetBytes(new string('.', 70));
        var token = Encoding.UTF8.GetBytes(text.Trim());
        for (var before = 0; before <= 66; before++)
        {
            var data = filler[..before]
                .Concat(" "u8.ToArray())
                .Concat(token)
                .Concat(" "u8.ToArray())
                .ToArray();
            Assert.True(
                rule == s_guard.CheckContent("a.txt", data)?.Id,
                $"sample {index} ({rule}) not found after {before} bytes"
            );
        }
        Assert.Equal(rule, s_guard.CheckContent("a.txt", token)?.Id);
    }

    [Theory]
    [MemberData(nameof(LookAlikeIndexes))]
    public void CheckContent_LookAlike_Passes(int index)
    {
        var (what, text) = SecretSamples.LookAlikes().ElementAt(index);
        var found = s_guard.CheckContent("notes.txt", Encoding.UTF8.GetBytes(text));
        Assert.True(found is null, $"{what}: withheld by {found?.Id}");
    }

    [Fact]
    public void CheckContent_MegabytesOfOrdinaryText_NothingFound()
    {
        var sources = Directory
            .EnumerateFiles(RepositoryRoot(), "*.cs", SearchOption.AllDirectories)
            .Where(f =>
                !f.Contains("/obj/", StringComparison.Ordinal)
                && !f.Contains("/bin/", StringComparison.Ordinal)
            )
            .ToList();
        Assert.NotEmpty(sources);
        foreach (var file in sources)
        {
            var found = SecretGuard.Scan(File.ReadAllBytes(file));
            Assert.True(found is null, $"{file}: {found?.Id}");
        }
        for (var seed = 0; seed < 20; seed++)
        {
            Assert.Null(SecretGuard.Scan(SecretSamples.RandomBytes(100_000, seed)));
        }
    }

    [Theory]
    [InlineData(".env", "env-file")]
    [InlineData("app/.env.local", "env-file")]
    [InlineData(".env.production", "env-file")]
    [InlineData(".ENV", "env-file")]
    [InlineData(".npmrc", "npmrc")]
    [InlineData("sub/.pypirc", "pypirc")]
    [InlineData(".netrc", "netrc")]
    [InlineData(".git-credentials", "git-credentials")]
    [InlineData(".dockercfg", "dockercfg")]
    [InlineData("keys/id_rsa", "ssh-private-key-file")]
    [InlineData("id_dsa", "ssh-private-key-file")]
    [InlineData("id_ecdsa", "ssh-private-key-file")]
    [InlineData("id_ed25519", "ssh-private-key-file")]
    [InlineData("id_ed25519-cert", "ssh-private-key-file")]
    [InlineData("cert.p12", "keystore-file")]
    [InlineData("cert.PFX", "keystore-file")]
    [InlineData("android/release.keystore", "keystore-file")]
    [InlineData("server.jks", "keystore-file")]
    [InlineData("vault.kdbx", "keepass-database")]
    [InlineData("key.ppk", "putty-private-key")]
    [InlineData("infra/terraform.tfstate", "terraform-state")]
    [InlineData("terraform.tfstate.backup", "terraform-state")]
    [InlineData("credentials.json", "credentials-json")]
    [InlineData("gcp/service-account-prod.json", "credentials-json")]
    public void CheckName_CredentialFile_Withheld(string path, string rule) =>
        Assert.Equal(rule, s_guard.CheckName(path)?.Id);

    [Theory]
    [InlineData(".env.example")]
    [InlineData(".env.sample")]
    [InlineData("config/.env.template")]
    [InlineData("id_rsa.pub")]
    [InlineData("id_ed25519-cert.pub")]
    [InlineData("environment.ts")]
    [InlineData("my.env.md")]
    [InlineData("credentials.md")]
    [InlineData("service-account.yaml")]
    [InlineData("terraform.tf")]
    [InlineData("src/npmrc.ts")]
    [InlineData("README.md")]
    public void CheckName_OrdinaryFile_Passes(string path) => Assert.Null(s_guard.CheckName(path));

    [Fact]
    public void Allow_PatternsInGitignoreSyntax_LetMatchingPathsThrough()
    {
        var guard = new SecretGuard(
            enabled: true,
            ["config/dev.env", "fixtures/", "*.p12", "!fixtures/real.p12", ".env.test"]
        );
        Assert.Null(guard.CheckName("config/dev.env"));
        Assert.Null(guard.CheckName("cert.p12"));
        Assert.Null(guard.CheckName("fixtures/keys/id_rsa"));
        Assert.Null(guard.CheckName("a/b/.env.test"));
        Assert.Equal("keystore-file", guard.CheckName("fixtures/real.p12")?.Id);
        Assert.Equal("env-file", guard.CheckName(".env")?.Id);
        var pem = Encoding.UTF8.GetBytes(SecretSamples.Pem("PRIVATE " + "KEY", 70));
        Assert.Null(guard.CheckContent("fixtures/test-key.pem", pem));
        Assert.Equal("private-key", guard.CheckContent("config/prod.key", pem)?.Id);
    }

    [Fact]
    public void Disabled_NothingWithheldAndFingerprintSaysSo()
    {
        var off = new SecretGuard(enabled: false);
        Assert.Null(off.CheckName(".env"));
        Assert.Null(
            off.CheckContent("a", Encoding.UTF8.GetBytes(SecretSamples.Pem("PRIVATE " + "KEY", 71)))
        );
        Assert.Equal("off", off.Fingerprint);
        Assert.NotEqual(s_guard.Fingerprint, new SecretGuard(true, ["x"]).Fingerprint);
        Assert.Equal(s_guard.Fingerprint, new SecretGuard(true, []).Fingerprint);
    }

    private static string RepositoryRoot()
    {
        var directory = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(directory, "FileSync.Edge.sln")))
        {
            directory = Path.GetDirectoryName(directory)!;
        }
        return Path.Combine(directory, "src");
    }
}
