using System.Security.Cryptography;
using System.Text;

namespace FileSync.Edge.Filtering.Secrets;

/// <summary>
/// Decides whether a file must not leave the machine because it holds, or by its name is, a credential.
/// Applied where a file is read for sending (<see cref="Workspace.FileContentReader"/>): the name rules
/// before anything is read, the content rules on the bytes already read for hashing, in one vectorised
/// pass. A path that matches one of the user's allow patterns (gitignore syntax, relative to the
/// workspace, from <c>Sync:SecretGuardAllow</c>) is sent anyway. Thread-safe and immutable.
/// </summary>
public sealed class SecretGuard
{
    /// <summary>Bump when a rule changes, so that saved indexes (checked by the old rules) are read again.</summary>
    private const string RulesVersion = "1";

    private static readonly AnchorScanner s_scanner = new(
        [.. ContentRules.All.Select(rule => Encoding.ASCII.GetBytes(rule.Anchor))],
        static (data, position, anchor) =>
        {
            var rule = ContentRules.All[anchor];
            return position >= rule.AnchorOffset
                && rule.IsMatch(data, position - rule.AnchorOffset);
        }
    );

    private readonly IgnoreRuleSet? _allow;

    public SecretGuard(bool enabled, IReadOnlyList<string>? allowPatterns = null)
    {
        Enabled = enabled;
        AllowPatterns =
        [
            .. (allowPatterns ?? [])
                .Where(p => !string.IsNullOrWhiteSpace(p))
                .Select(p => p.Trim()),
        ];
        var patterns = IgnoreRuleSet.ParsePatterns(string.Join('\n', AllowPatterns));
        _allow = patterns.Length == 0 ? null : new IgnoreRuleSet("", patterns);
        Fingerprint = enabled
            ? $"secret-guard/{RulesVersion}/{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', AllowPatterns))))[..16]}"
            : "off";
    }

    /// <summary>The guard of an agent that turned it off (<c>Sync:SecretGuard false</c>).</summary>
    public static SecretGuard Off { get; } = new(enabled: false);

    public bool Enabled { get; }

    /// <summary>The user's allow patterns, as given (blank ones dropped).</summary>
    public IReadOnlyList<string> AllowPatterns { get; }

    /// <summary>
    /// Names the rules and allow patterns a saved index was checked with: an index saved under another
    /// fingerprint is read again, so that a newer guard (or a narrower allow list) sees every file.
    /// </summary>
    public string Fingerprint { get; }

    /// <summary>Every rule, name rules first.</summary>
    public static IReadOnlyList<SecretRule> Rules { get; } =
    [.. CredentialFileNames.All, .. ContentRules.All.Select(r => r.Rule).Distinct()];

    /// <summary>The name rule <paramref name="relativePath"/> falls under, unless allowed or the guard is off.</summary>
    public SecretRule? CheckName(string relativePath)
    {
        if (!Enabled)
        {
            return null;
        }
        var name = relativePath.AsSpan(relativePath.LastIndexOf('/') + 1);
        return CredentialFileNames.Match(name) is { } rule && !IsAllowed(relativePath)
            ? rule
            : null;
    }

    /// <summary>The content rule that <paramref name="content"/> matches, unless the path is allowed or the guard is off.</summary>
    public SecretRule? CheckContent(string relativePath, ReadOnlySpan<byte> content)
    {
        if (!Enabled)
        {
            return null;
        }
        var found = s_scanner.IndexOfMatch(content);
        return found >= 0 && !IsAllowed(relativePath) ? ContentRules.All[found].Rule : null;
    }

    /// <summary>The content rule <paramref name="content"/> matches, with no path and no allow list (tests, the benchmark).</summary>
    internal static SecretRule? Scan(ReadOnlySpan<byte> content) =>
        s_scanner.IndexOfMatch(content) is var found and >= 0 ? ContentRules.All[found].Rule : null;

    /// <summary>
    /// True when the allow patterns let <paramref name="relativePath"/> through: the last pattern that matches
    /// the file decides; when none does, the nearest folder on its path that a pattern matches decides.
    /// </summary>
    public bool IsAllowed(string relativePath)
    {
        if (_allow is null)
        {
            return false;
        }
        var path = Encoding.UTF8.GetBytes(relativePath);
        var end = path.Length;
        var isDirectory = false;
        while (end > 0)
        {
            var slash = Array.LastIndexOf(path, (byte)'/', end - 1);
            var name = path.AsSpan(slash + 1, end - slash - 1);
            if (
                _allow.Match(path.AsSpan(0, end), name, isDirectory, ignoreCase: false) is
                { } verdict
            )
            {
                return verdict;
            }
            end = Math.Max(slash, 0);
            isDirectory = true;
        }
        return false;
    }
}
