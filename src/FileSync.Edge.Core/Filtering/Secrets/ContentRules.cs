using static FileSync.Edge.Filtering.Secrets.TokenText;

namespace FileSync.Edge.Filtering.Secrets;

/// <summary>
/// The content rules of the secret guard: token formats with a fixed, documented prefix and a fixed
/// alphabet and length, so that a match is a real credential and not a guess. Written from the formats that
/// gitleaks' default rules (cmd/generate/config/rules) and GitHub secret scanning's supported patterns
/// describe; no entropy measure, no generic "key = value" rule.
/// </summary>
internal static class ContentRules
{
    public static readonly SecretRule PrivateKey = new(
        "private-key",
        "a PEM or OpenSSH private key block"
    );
    public static readonly SecretRule AwsAccessKey = new(
        "aws-access-key-id",
        "an AWS access key id"
    );
    public static readonly SecretRule GitHubToken = new(
        "github-token",
        "a GitHub token (ghp_, gho_, ghu_, ghs_, ghr_)"
    );
    public static readonly SecretRule GitHubFineGrained = new(
        "github-fine-grained-pat",
        "a GitHub fine-grained personal access token"
    );
    public static readonly SecretRule GitLabToken = new(
        "gitlab-token",
        "a GitLab personal, deploy, runner or trigger token"
    );
    public static readonly SecretRule SlackToken = new("slack-token", "a Slack token");
    public static readonly SecretRule StripeLiveKey = new(
        "stripe-live-key",
        "a Stripe live secret or restricted key"
    );
    public static readonly SecretRule GoogleApiKey = new("google-api-key", "a Google API key");
    public static readonly SecretRule NpmToken = new("npm-token", "an npm access token");
    public static readonly SecretRule PypiToken = new("pypi-token", "a PyPI upload token");
    public static readonly SecretRule OpenAiKey = new("openai-api-key", "an OpenAI API key");
    public static readonly SecretRule AnthropicKey = new(
        "anthropic-api-key",
        "an Anthropic API key"
    );
    public static readonly SecretRule NpmAuthToken = new(
        "npm-auth-token",
        "an _authToken value in npm configuration"
    );

    public static IReadOnlyList<ContentRule> All { get; } =
    [
        new(PrivateKey, "-BEGIN ", 4, IsPrivateKey),
        new(AwsAccessKey, "AKIA", 0, IsAwsKey),
        new(AwsAccessKey, "ASIA", 0, IsAwsKey),
        new(AwsAccessKey, "ABIA", 0, IsAwsKey),
        new(AwsAccessKey, "ACCA", 0, IsAwsKey),
        new(GitHubToken, "ghp_", 0, IsGitHubToken),
        new(GitHubToken, "gho_", 0, IsGitHubToken),
        new(GitHubToken, "ghu_", 0, IsGitHubToken),
        new(GitHubToken, "ghs_", 0, IsGitHubToken),
        new(GitHubToken, "ghr_", 0, IsGitHubToken),
        new(GitHubFineGrained, "b_pat_", 5, IsGitHubFineGrained),
        new(GitLabToken, "glpat-", 0, (d, s) => IsPrefixedToken(d, s, 6, 20)),
        new(GitLabToken, "gldt-", 0, (d, s) => IsPrefixedToken(d, s, 5, 20)),
        new(GitLabToken, "glrt-", 0, (d, s) => IsPrefixedToken(d, s, 5, 20)),
        new(GitLabToken, "glptt-", 0, (d, s) => IsPrefixedToken(d, s, 6, 40)),
        new(SlackToken, "xox", 0, IsSlackToken),
        new(SlackToken, "xapp-", 0, IsSlackAppToken),
        new(StripeLiveKey, "k_live_", 1, IsStripeLiveKey),
        new(GoogleApiKey, "AIza", 0, IsGoogleApiKey),
        new(NpmToken, "pm_", 1, IsNpmToken),
        new(PypiToken, "AgEIcHlwaS5vcmc", 5, IsPypiToken),
        new(OpenAiKey, "T3BlbkFJ", 0, IsOpenAiKey),
        new(AnthropicKey, "k-ant-", 1, IsAnthropicKey),
        new(NpmAuthToken, "_authToken", 0, IsNpmAuthToken),
    ];

    /// <summary>
    /// <c>-----BEGIN [label ]PRIVATE KEY[ BLOCK]-----</c> followed by at least 64 base64 characters of key
    /// (header lines such as <c>Proc-Type:</c> and escaped <c>\n</c>, as in JSON, allowed). The header
    /// alone, as a parser's constant or a document's example with "...", is no key.
    /// </summary>
    private static bool IsPrivateKey(ReadOnlySpan<byte> data, int start)
    {
        if (start < 0 || !data[start..].StartsWith("-----BEGIN "u8))
        {
            return false;
        }
        var at = start + 11;
        var label = Run(data, at, b => IsUpper(b) || IsDigit(b) || b == ' ', 60);
        var header = data.Slice(at, label);
        if (!header.EndsWith("PRIVATE KEY"u8) && !header.EndsWith("PRIVATE KEY BLOCK"u8))
        {
            return false;
        }
        at += label;
        if (!data[at..].StartsWith("-----"u8))
        {
            return false;
        }
        return KeyBodyLength(data, at + 5) >= 64;
    }

    private static int KeyBodyLength(ReadOnlySpan<byte> data, int at)
    {
        var body = 0;
        var lineStart = true;
        while (at < data.Length && body < 64)
        {
            var b = data[at];
            if (b is (byte)'\n' or (byte)'\r')
            {
                lineStart = true;
                at++;
            }
            else if (b == '\\' && at + 1 < data.Length && data[at + 1] is (byte)'n' or (byte)'r')
            {
                lineStart = true;
                at += 2;
            }
            else if (b is (byte)' ' or (byte)'\t')
            {
                at++;
            }
            else if (lineStart && body == 0 && IsHeaderLine(data, at, out var next))
            {
                at = next;
            }
            else if (IsBase64(b))
            {
                lineStart = false;
                body++;
                at++;
            }
            else
            {
                break;
            }
        }
        return body;
    }

    /// <summary>An RFC 1421 / OpenPGP armour header line (<c>Name: value</c>) starting at <paramref name="at"/>.</summary>
    private static bool IsHeaderLine(ReadOnlySpan<byte> data, int at, out int next)
    {
        var name = Run(data, at, b => IsAlphanumeric(b) || b == '-', 40);
        next = at + name;
        if (name == 0 || next + 1 >= data.Length || data[next] != ':' || data[next + 1] != ' ')
        {
            return false;
        }
        while (next < data.Length && data[next] is not ((byte)'\n' or (byte)'\r' or (byte)'\\'))
        {
            next++;
        }
        return true;
    }

    /// <summary>AKIA/ASIA/ABIA/ACCA and 16 upper-case letters or digits, as a whole word; AWS's documented fakes end in EXAMPLE.</summary>
    private static bool IsAwsKey(ReadOnlySpan<byte> data, int start) =>
        StartsClean(data, start, IsWord)
        && Run(data, start + 4, b => IsUpper(b) || IsDigit(b), 17) == 16
        && EndsClean(data, start + 20, IsWord)
        && !LooksLikePlaceholder(data.Slice(start + 4, 16));

    /// <summary>ghp_/gho_/ghu_/ghs_/ghr_ and 36 letters or digits.</summary>
    private static bool IsGitHubToken(ReadOnlySpan<byte> data, int start) =>
        StartsClean(data, start, IsWord)
        && Run(data, start + 4, IsAlphanumeric, 37) == 36
        && EndsClean(data, start + 40, IsWord)
        && !LooksLikePlaceholder(data.Slice(start + 4, 36));

    /// <summary>github_pat_ and 82 word characters.</summary>
    private static bool IsGitHubFineGrained(ReadOnlySpan<byte> data, int start) =>
        start >= 0
        && data[start..].StartsWith("github_pat_"u8)
        && StartsClean(data, start, IsWord)
        && Run(data, start + 11, IsWord, 83) is var length
        && length == 82
        && !LooksLikePlaceholder(data.Slice(start + 11, length));

    /// <summary>A fixed prefix of <paramref name="prefix"/> bytes and at least <paramref name="minimum"/> token characters.</summary>
    private static bool IsPrefixedToken(
        ReadOnlySpan<byte> data,
        int start,
        int prefix,
        int minimum
    ) =>
        StartsClean(data, start, IsWord)
        && Run(data, start + prefix, IsToken, 300) is var length
        && length >= minimum
        && !LooksLikePlaceholder(data.Slice(start + prefix, length));

    /// <summary>
    /// xoxb-, xoxp-, xoxa-, xoxr-, xoxe-, xoxs-, xoxo-: a numeric team or user id of 8 digits or more, more
    /// dash-separated parts, the last of them 8 letters or digits or more.
    /// </summary>
    private static bool IsSlackToken(ReadOnlySpan<byte> data, int start)
    {
        if (
            !StartsClean(data, start, IsWord)
            || data.Length < start + 6
            || data[start + 3]
                is not (
                    (byte)'b'
                    or (byte)'p'
                    or (byte)'a'
                    or (byte)'r'
                    or (byte)'e'
                    or (byte)'s'
                    or (byte)'o'
                )
            || data[start + 4] != '-'
        )
        {
            return false;
        }
        var at = start + 5;
        if (at + 1 < data.Length && IsDigit(data[at]) && data[at + 1] == '-')
        {
            at += 2;
        }
        var id = Run(data, at, IsDigit, 20);
        if (id < 8 || at + id >= data.Length || data[at + id] != '-')
        {
            return false;
        }
        var rest = Run(data, at + id + 1, b => IsAlphanumeric(b) || b == '-', 300);
        var tail = data.Slice(at + id + 1, rest);
        var last = tail[(tail.LastIndexOf((byte)'-') + 1)..];
        return last.Length >= 8 && !LooksLikePlaceholder(last);
    }

    /// <summary>xapp-, a digit, an app id, a numeric id and a long lower-case hex-like secret.</summary>
    private static bool IsSlackAppToken(ReadOnlySpan<byte> data, int start)
    {
        var at = start + 5;
        if (
            !StartsClean(data, start, IsWord)
            || at + 2 > data.Length
            || !IsDigit(data[at])
            || data[at + 1] != '-'
        )
        {
            return false;
        }
        at += 2;
        var app = Run(data, at, IsAlphanumeric, 40);
        at += app;
        if (app < 8 || at >= data.Length || data[at] != '-')
        {
            return false;
        }
        var number = Run(data, ++at, IsDigit, 20);
        at += number;
        if (number < 8 || at >= data.Length || data[at] != '-')
        {
            return false;
        }
        var secret = Run(data, ++at, b => IsLower(b) || IsDigit(b), 200);
        return secret >= 32 && !LooksLikePlaceholder(data.Slice(at, secret));
    }

    /// <summary>sk_live_ or rk_live_ and at least 20 letters or digits (test keys, sk_test_, are meant to be shared).</summary>
    private static bool IsStripeLiveKey(ReadOnlySpan<byte> data, int start) =>
        start >= 0
        && data[start] is (byte)'s' or (byte)'r'
        && StartsClean(data, start, IsWord)
        && Run(data, start + 8, IsAlphanumeric, 300) is var length
        && length >= 20
        && !LooksLikePlaceholder(data.Slice(start + 8, length));

    /// <summary>AIza and 35 token characters.</summary>
    private static bool IsGoogleApiKey(ReadOnlySpan<byte> data, int start) =>
        StartsClean(data, start, IsToken)
        && Run(data, start + 4, IsToken, 36) == 35
        && EndsClean(data, start + 39, IsToken)
        && !LooksLikePlaceholder(data.Slice(start + 4, 35));

    /// <summary>npm_ and 36 letters or digits.</summary>
    private static bool IsNpmToken(ReadOnlySpan<byte> data, int start) =>
        start >= 0
        && data[start] == 'n'
        && StartsClean(data, start, IsWord)
        && Run(data, start + 4, IsAlphanumeric, 37) == 36
        && EndsClean(data, start + 40, IsWord)
        && !LooksLikePlaceholder(data.Slice(start + 4, 36));

    /// <summary>pypi- and the macaroon that begins with the base64 of "pypi.org", 50 token characters or more after it.</summary>
    private static bool IsPypiToken(ReadOnlySpan<byte> data, int start) =>
        start >= 0
        && data[start..].StartsWith("pypi-"u8)
        && Run(data, start + 20, IsToken, 300) is var length
        && length >= 50
        && !LooksLikePlaceholder(data.Slice(start + 20, length));

    /// <summary>
    /// sk-…T3BlbkFJ…: every OpenAI key format (legacy, project, service account, admin) carries the base64 of
    /// "OpenAI" inside; the token must start with sk- and hold at least 20 token characters on each side.
    /// </summary>
    private static bool IsOpenAiKey(ReadOnlySpan<byte> data, int anchor)
    {
        var begin = anchor;
        while (begin > 0 && anchor - begin < 200 && IsToken(data[begin - 1]))
        {
            begin--;
        }
        if (!data[begin..].StartsWith("sk-"u8) || anchor - begin < 23)
        {
            return false;
        }
        var after = Run(data, anchor + 8, IsToken, 200);
        return after >= 20
            && !LooksLikePlaceholder(data.Slice(begin + 3, anchor + 8 + after - begin - 3));
    }

    /// <summary>sk-ant- and a kind with a version (api03-, admin01-, oat01-, ort01-), then at least 40 token characters.</summary>
    private static bool IsAnthropicKey(ReadOnlySpan<byte> data, int start)
    {
        if (start < 0 || data[start] != 's' || !StartsClean(data, start, IsWord))
        {
            return false;
        }
        var at = start + 7;
        var kind = Run(data, at, b => IsLower(b) || IsDigit(b), 12);
        at += kind;
        if (kind < 3 || at >= data.Length || data[at] != '-' || !IsDigit(data[at - 1]))
        {
            return false;
        }
        var length = Run(data, ++at, IsToken, 300);
        return length >= 40 && !LooksLikePlaceholder(data.Slice(at, length));
    }

    /// <summary>
    /// <c>_authToken=</c> (npm's .npmrc syntax, in any file) with a literal value of 16 characters or more;
    /// <c>${NPM_TOKEN}</c> and other references are not secrets.
    /// </summary>
    private static bool IsNpmAuthToken(ReadOnlySpan<byte> data, int start)
    {
        var at = start + 10;
        at += Run(data, at, b => b is (byte)' ' or (byte)'\t', 8);
        if (at >= data.Length || data[at] != '=')
        {
            return false;
        }
        at++;
        at += Run(data, at, b => b is (byte)' ' or (byte)'\t' or (byte)'"' or (byte)'\'', 8);
        var length = Run(
            data,
            at,
            b => IsToken(b) || b is (byte)'+' or (byte)'/' or (byte)'=' or (byte)'.',
            500
        );
        return length >= 16 && !LooksLikePlaceholder(data.Slice(at, length));
    }
}
