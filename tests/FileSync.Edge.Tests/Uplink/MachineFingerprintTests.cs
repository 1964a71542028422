using FileSync.Edge.Uplink;

namespace FileSync.Edge.Tests.Uplink;

/// <summary>The default identity of an agent: machine, OS user and config file; and the rules for a chosen one.</summary>
public sealed class MachineFingerprintTests
{
    private const string Machine = "4c4c4544004d3510805ac4c04f4e5a31";

    [Fact]
    public void Derive_SameInputs_SameId()
    {
        var first = MachineFingerprint.Derive(
            Machine,
            "uid:1000",
            "/home/me/.config/filesync-edge/config.json"
        );
        var again = MachineFingerprint.Derive(
            Machine,
            "uid:1000",
            "/home/me/.config/filesync-edge/config.json"
        );

        Assert.Equal(first, again);
        Assert.Matches("^[0-9a-f]{32}$", first);
    }

    [Fact]
    public void Derive_DifferentUser_DifferentId()
    {
        Assert.NotEqual(
            MachineFingerprint.Derive(Machine, "uid:1000", "/etc/filesync/config.json"),
            MachineFingerprint.Derive(Machine, "uid:1001", "/etc/filesync/config.json")
        );
    }

    [Fact]
    public void Derive_DifferentConfigPath_DifferentId()
    {
        Assert.NotEqual(
            MachineFingerprint.Derive(Machine, "uid:1000", "/home/me/work.json"),
            MachineFingerprint.Derive(Machine, "uid:1000", "/home/me/private.json")
        );
    }

    [Fact]
    public void Derive_DifferentMachine_DifferentId()
    {
        Assert.NotEqual(
            MachineFingerprint.Derive(Machine, "uid:1000", "/c.json"),
            MachineFingerprint.Derive("another-machine", "uid:1000", "/c.json")
        );
    }

    [Fact]
    public void Derive_PartsShiftedAcrossTheBoundaries_DifferentId()
    {
        // Length-prefixed parts: moving characters from one part to the next is another identity.
        Assert.NotEqual(
            MachineFingerprint.Derive("ab", "c", "/d"),
            MachineFingerprint.Derive("a", "bc", "/d")
        );
        Assert.NotEqual(
            MachineFingerprint.Derive("m", "u\n1", "/d"),
            MachineFingerprint.Derive("m", "u", "1\n/d")
        );
    }

    [Fact]
    public void Compute_SameConfigFile_SameIdOnEveryCallAndForEverySpellingOfThePath()
    {
        var directory = Path.Combine(Path.GetTempPath(), "filesync-fingerprint");
        var path = Path.Combine(directory, "config.json");

        Assert.Equal(MachineFingerprint.Compute(path), MachineFingerprint.Compute(path));
        Assert.Equal(
            MachineFingerprint.Compute(path),
            MachineFingerprint.Compute(Path.Combine(directory, "sub", "..", "config.json"))
        );
    }

    [Fact]
    public void Compute_DifferentConfigFiles_DifferentIds()
    {
        var directory = Path.Combine(Path.GetTempPath(), "filesync-fingerprint");

        Assert.NotEqual(
            MachineFingerprint.Compute(Path.Combine(directory, "a.json")),
            MachineFingerprint.Compute(Path.Combine(directory, "b.json"))
        );
    }

    [Fact]
    public void CurrentUser_OnUnix_IsTheUid()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.EndsWith(
                "\\" + Environment.UserName,
                MachineFingerprint.CurrentUser(),
                StringComparison.Ordinal
            );
            return;
        }
        var user = MachineFingerprint.CurrentUser();

        Assert.Matches("^uid:[0-9]+$", user);
        if (Environment.UserName == "root")
        {
            Assert.Equal("uid:0", user);
        }
    }

    [Theory]
    [InlineData("my-laptop")]
    [InlineData("Zoë's laptop (work)")]
    [InlineData("💻 build box")]
    [InlineData("a")]
    public void Validate_PrintableIdentity_Accepted(string identity)
    {
        Assert.Null(MachineFingerprint.Validate(identity));
    }

    [Fact]
    public void Validate_LongestIdentity_AcceptedOneMoreRefused()
    {
        Assert.Null(MachineFingerprint.Validate(new string('x', MachineFingerprint.MaxLength)));
        Assert.Equal(
            $"must be at most {MachineFingerprint.MaxLength} characters long (it has {MachineFingerprint.MaxLength + 1})",
            MachineFingerprint.Validate(new string('x', MachineFingerprint.MaxLength + 1))
        );
    }

    [Theory]
    [InlineData("", "must not be empty")]
    [InlineData(" laptop", "must not start or end with white space")]
    [InlineData("laptop\n", "must not start or end with white space")]
    [InlineData("lap\ttop", "must not contain control characters")]
    [InlineData("lap\u0000top", "must not contain control characters")]
    [InlineData("lap\u007ftop", "must not contain control characters")]
    public void Validate_UnusableIdentity_Refused(string identity, string problem)
    {
        Assert.Equal(problem, MachineFingerprint.Validate(identity));
    }

    [Fact]
    public void Validate_LoneSurrogate_Refused()
    {
        // Built here: xunit's theory data would replace a lone surrogate by U+FFFD.
        Assert.Equal(
            "must be valid Unicode text",
            MachineFingerprint.Validate("lap" + '\ud800' + "top")
        );
        Assert.Equal(
            "must be valid Unicode text",
            MachineFingerprint.Validate("laptop" + '\udc00')
        );
        Assert.Equal(
            "must be valid Unicode text",
            MachineFingerprint.Validate("laptop" + '\ud83d')
        );
    }

    [Theory]
    [InlineData("0123abcd")]
    [InlineData("Zoë's \"laptop\"")]
    public void ToWire_Base64OfTheClientsJsonShape_DecodesToTheIdentity(string identity)
    {
        var json = System.Text.Encoding.UTF8.GetString(
            Convert.FromBase64String(MachineFingerprint.ToWire(identity))
        );

        using var document = System.Text.Json.JsonDocument.Parse(json);
        Assert.Equal(identity, document.RootElement.GetProperty("machine_id").GetString());
        Assert.StartsWith("{\"machine_id\": \"", json);
    }
}
