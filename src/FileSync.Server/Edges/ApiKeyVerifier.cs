using System.Security.Cryptography;
using System.Text;

namespace FileSync.Server.Edges;

/// <summary>
/// Checks <c>Authorization: Bearer &lt;key&gt;</c> in constant time: both sides are hashed first,
/// so neither the content nor the length of the key leaks through timing.
/// </summary>
internal sealed class ApiKeyVerifier
{
    private const string BearerPrefix = "Bearer ";
    private readonly byte[]? _expectedHash;

    public ApiKeyVerifier(string? apiKey)
    {
        _expectedHash = apiKey is null ? null : SHA256.HashData(Encoding.UTF8.GetBytes(apiKey));
    }

    /// <summary>True when no key is configured.</summary>
    public bool IsOpen => _expectedHash is null;

    /// <summary>True when <paramref name="candidate"/> is the configured key itself (compared in constant time).</summary>
    public bool IsExpectedKey(string? candidate)
    {
        if (_expectedHash is null || candidate is null)
        {
            return false;
        }
        var providedHash = SHA256.HashData(Encoding.UTF8.GetBytes(candidate.Trim()));
        return CryptographicOperations.FixedTimeEquals(providedHash, _expectedHash);
    }

    public bool IsAuthorized(string? authorizationHeader)
    {
        if (_expectedHash is null)
        {
            return true;
        }
        var hasBearer =
            authorizationHeader is not null
            && authorizationHeader.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase);
        var provided = hasBearer ? authorizationHeader![BearerPrefix.Length..].Trim() : "";
        var providedHash = SHA256.HashData(Encoding.UTF8.GetBytes(provided));
        return CryptographicOperations.FixedTimeEquals(providedHash, _expectedHash) & hasBearer;
    }
}
