using System.Text;

namespace FileSync.Edge.Tests.Filtering.Secrets;

/// <summary>
/// Credential-shaped strings for the secret guard's tests, built at run time from pieces and a seeded
/// generator: no test file holds a real-looking secret literal (a push-protection scanner would flag it),
/// and none of them is a real credential. Tests assert on rule ids and paths, never print these values.
/// </summary>
internal static class SecretSamples
{
    private const string Alphanumeric =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private const string Upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private const string Base64 = Alphanumeric + "+/";
    private const string Token = Alphanumeric + "_-";

    /// <summary><paramref name="length"/> characters of <paramref name="alphabet"/>, the same for the same seed.</summary>
    public static string Random(string alphabet, int length, int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            text.Append(alphabet[random.Next(alphabet.Length)]);
        }
        return text.ToString();
    }

    public static string Pem(string label, int seed, bool escapedNewlines = false)
    {
        var newline = escapedNewlines ? "\\n" : "\n";
        var body = string.Join(
            newline,
            Enumerable.Range(0, 6).Select(i => Random(Base64, 64, seed + i))
        );
        return "-----BEGIN "
            + label
            + "-----"
            + newline
            + body
            + newline
            + "-----END "
            + label
            + "-----"
            + newline;
    }

    /// <summary>Each content rule's id with one token of its format (a line of a config or source file).</summary>
    public static IEnumerable<(string Rule, string Text)> TruePositives()
    {
        yield return ("private-key", Pem("RSA " + "PRIVATE KEY", 1));
        yield return ("private-key", Pem("PRIVATE" + " KEY", 2));
        yield return ("private-key", Pem("OPENSSH " + "PRIVATE KEY", 3));
        yield return ("private-key", Pem("EC " + "PRIVATE KEY", 4));
        yield return (
            "private-key",
            "-----BEGIN RSA "
                + "PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,"
                + Random("0123456789ABCDEF", 32, 5)
                + "\n\n"
                + Random(Base64, 64, 6)
                + "\n"
                + Random(Base64, 64, 7)
                + "\n-----END RSA PRIVATE KEY-----\n"
        );
        yield return (
            "private-key",
            "-----BEGIN PGP "
                + "PRIVATE KEY BLOCK-----\nVersion: GnuPG v2\n\n"
                + Random(Base64, 128, 8)
                + "\n=abcd\n-----END PGP PRIVATE KEY BLOCK-----\n"
        );
        yield return (
            "private-key",
            "{\n  \"type\": \"service_account\",\n  \"private_key\": \""
                + Pem("PRIVATE " + "KEY", 9, escapedNewlines: true)
                + "\"\n}\n"
        );
        yield return (
            "aws-access-key-id",
            "aws_access_key_id = " + "AK" + "IA" + Random(Upper, 16, 10) + "\n"
        );
        yield return (
            "aws-access-key-id",
            "AWS_ACCESS_KEY_ID=\"" + "AS" + "IA" + Random(Upper, 16, 11) + "\"\n"
        );
        foreach (
            var (kind, seed) in new[] { ("p", 12), ("o", 13), ("u", 14), ("s", 15), ("r", 16) }
        )
        {
            yield return (
                "github-token",
                "token: " + "gh" + kind + "_" + Random(Alphanumeric, 36, seed) + "\n"
            );
        }
        yield return (
            "github-fine-grained-pat",
            "GH_TOKEN=" + "github" + "_pat_" + Random(Alphanumeric + "_", 82, 17) + "\n"
        );
        yield return (
            "gitlab-token",
            "private_token = '" + "gl" + "pat-" + Random(Token, 20, 18) + "'\n"
        );
        yield return ("gitlab-token", "token: " + "gl" + "rt-" + Random(Token, 20, 19) + "\n");
        yield return (
            "slack-token",
            "SLACK_BOT_TOKEN="
                + "xo"
                + "xb-"
                + Random("0123456789", 12, 20)
                + "-"
                + Random("0123456789", 13, 21)
                + "-"
                + Random(Alphanumeric, 24, 22)
                + "\n"
        );
        yield return (
            "slack-token",
            "\"token\": \""
                + "xa"
                + "pp-1-A"
                + Random(Upper, 10, 23)
                + "-"
                + Random("0123456789", 13, 24)
                + "-"
                + Random("0123456789abcdef", 64, 25)
                + "\"\n"
        );
        yield return (
            "stripe-live-key",
            "STRIPE_SECRET_KEY=" + "sk" + "_live_" + Random(Alphanumeric, 24, 26) + "\n"
        );
        yield return (
            "stripe-live-key",
            "const key = '" + "rk" + "_live_" + Random(Alphanumeric, 99, 27) + "';\n"
        );
        yield return (
            "google-api-key",
            "apiKey: \"" + "AI" + "za" + Random(Token, 35, 28) + "\",\n"
        );
        yield return (
            "npm-token",
            "NPM_TOKEN=" + "np" + "m_" + Random(Alphanumeric, 36, 29) + "\n"
        );
        yield return (
            "pypi-token",
            "password = " + "pypi-" + "AgEIcHlwaS5vcmc" + Random(Token, 80, 30) + "\n"
        );
        yield return (
            "openai-api-key",
            "OPENAI_API_KEY="
                + "sk-"
                + "proj-"
                + Random(Token, 74, 31)
                + "T3Blbk"
                + "FJ"
                + Random(Token, 74, 32)
                + "\n"
        );
        yield return (
            "openai-api-key",
            "openai.api_key = \""
                + "sk-"
                + Random(Alphanumeric, 20, 33)
                + "T3Blbk"
                + "FJ"
                + Random(Alphanumeric, 20, 34)
                + "\"\n"
        );
        yield return (
            "anthropic-api-key",
            "ANTHROPIC_API_KEY=" + "sk-" + "ant-api03-" + Random(Token, 93, 35) + "AA\n"
        );
        yield return (
            "npm-auth-token",
            "//registry.npmjs.org/:"
                + "_auth"
                + "Token="
                + Random("0123456789abcdef", 8, 36)
                + "-"
                + Random("0123456789abcdef", 4, 37)
                + "-"
                + Random("0123456789abcdef", 4, 38)
                + "-"
                + Random("0123456789abcdef", 4, 39)
                + "-"
                + Random("0123456789abcdef", 12, 40)
                + "\n"
        );
    }

    /// <summary>Text that looks like secrets and is not: must pass the guard.</summary>
    public static IEnumerable<(string What, string Text)> LookAlikes()
    {
        yield return ("public key", Pem("PUBLIC KEY", 50));
        yield return ("certificate", Pem("CERTIFICATE", 51));
        yield return (
            "ssh public key",
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI" + Random(Base64, 43, 52) + " ada@laptop\n"
        );
        yield return (
            "PEM header as a constant",
            "const string Header = \"-----BEGIN RSA "
                + "PRIVATE KEY-----\";\nif (text.StartsWith(Header)) { }\n"
        );
        yield return (
            "PEM in documentation",
            "-----BEGIN " + "PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----\n"
        );
        yield return (
            "PEM header and a short body",
            "-----BEGIN " + "PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n"
        );
        yield return (
            "AWS documentation key",
            "aws_access_key_id = " + "AK" + "IAIOSFODNN7" + "EXAMPLE\n"
        );
        yield return (
            "AWS placeholder",
            "AWS_ACCESS_KEY_ID=" + "AK" + "IA" + new string('X', 16) + "\n"
        );
        yield return ("AWS-like inside a longer word", "AK" + "IA" + Random(Upper, 16, 53) + "Q\n");
        yield return ("GitHub placeholder", "token: " + "gh" + "p_" + new string('x', 36) + "\n");
        yield return (
            "GitHub prose",
            "Classic tokens start with gh" + "p_ and fine-grained ones with github" + "_pat_.\n"
        );
        yield return ("GitHub token too short", "gh" + "p_" + Random(Alphanumeric, 20, 54) + "\n");
        yield return (
            "npm token from the environment",
            "//registry.npmjs.org/:" + "_auth" + "Token=${NPM_TOKEN}\n"
        );
        yield return ("npm auth placeholder", "_auth" + "Token=YOUR_TOKEN_HERE\n");
        yield return (
            "Stripe test key",
            "STRIPE_KEY=" + "sk" + "_test_" + Random(Alphanumeric, 24, 55) + "\n"
        );
        yield return ("Stripe live placeholder", "sk" + "_live_" + new string('x', 24) + "\n");
        yield return ("Slack placeholder", "xo" + "xb-xxxxxxxxx-xxxxxxxxxx-xxxxxxxxxxxx\n");
        yield return (
            "Slack short ids",
            "xo" + "xp-1234-1234-1234-" + Random("0123456789abcdef", 32, 56) + "\n"
        );
        yield return (
            "Google key with a counting run",
            "AI" + "zaSyabcdefghijklmnopqrstuvwxyz1234567\n"
        );
        yield return (
            "OpenAI marker without the sk- prefix",
            "value: T3Blbk" + "FJ" + Random(Alphanumeric, 30, 57) + "\n"
        );
        yield return (
            "Anthropic key too short",
            "sk-" + "ant-api03-" + Random(Token, 12, 58) + "\n"
        );
        yield return (
            "base64 blob",
            Convert.ToBase64String(RandomBytes(6000, 59), Base64FormattingOptions.InsertLineBreaks)
        );
        yield return (
            "UUIDs",
            string.Join(
                "\n",
                Enumerable.Range(0, 200).Select(i => new Guid(RandomBytes(16, 60 + i)).ToString())
            )
        );
        yield return (
            "hashes",
            string.Join(
                "\n",
                Enumerable
                    .Range(0, 200)
                    .Select(i => Convert.ToHexStringLower(RandomBytes(32, 300 + i)))
            )
        );
        yield return (
            "snake_case code",
            "def task_list(block_len, back_link, npm_install_path, xoxo_style):\n    global_auth_token = None\n    return desk_and_chair\n"
        );
        yield return ("markdown rules", "---\ntitle: x\n---\n\n-----\n\nBEGIN TRANSACTION;\n");
    }

    /// <summary>The longest piece of a sample between blanks, quotes, '=' and ':' (a key's body line, a token): what must never leave.</summary>
    public static string Core(string sample) =>
        sample
            .Split(
                [' ', '\n', '\r', '"', '\'', '=', ':', ','],
                StringSplitOptions.RemoveEmptyEntries
            )
            .MaxBy(piece => piece.Length)!;

    public static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
