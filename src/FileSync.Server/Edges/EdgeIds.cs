using System.Security.Cryptography;
using System.Text;

namespace FileSync.Server.Edges;

/// <summary>Derives edge ids from the edge's identity (its <c>FileSync-Edge-Fingerprint</c> header or <c>fingerprint</c> query parameter).</summary>
internal static class EdgeIds
{
    /// <summary>The single user of the reference server.</summary>
    public const string UserId = "local";

    private const string Prefix = "edge-";
    private const int HexLength = 12;

    /// <summary>
    /// <c>"edge-" + first 12 hex digits of sha256(fingerprint)</c>: stable for a machine, reveals
    /// nothing of the fingerprint. Random when the fingerprint is absent.
    /// </summary>
    public static string FromFingerprint(string? fingerprint)
    {
        if (string.IsNullOrEmpty(fingerprint))
        {
            return Prefix + RandomNumberGenerator.GetHexString(HexLength, lowercase: true);
        }
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(fingerprint));
        return Prefix + Convert.ToHexStringLower(hash)[..HexLength];
    }
}
