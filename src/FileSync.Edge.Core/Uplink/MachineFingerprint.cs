using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using FileSync.Edge.Workspace;

namespace FileSync.Edge.Uplink;

/// <summary>
/// The agent's identity towards the server, sent as <c>?fingerprint=</c> (the server derives the edge id
/// from it). By default an anonymous hash of the OS machine id, the OS user (uid on Unix, domain and user
/// name elsewhere) and the full path of the config file in use: stable across restarts, and distinct
/// for two users, or two agents of one user with different config files, on one machine.
/// <c>Uplink:Fingerprint</c> (<c>--name</c>) replaces it.
/// </summary>
public static partial class MachineFingerprint
{
    /// <summary>Longest identity accepted from <c>Uplink:Fingerprint</c> or <c>--name</c>.</summary>
    public const int MaxLength = 128;

    private static readonly string[] s_machineIdFiles =
    [
        "/etc/machine-id",
        "/var/lib/dbus/machine-id",
    ];

    /// <summary>The default identity of an agent of this user on this machine using <paramref name="configPath"/>.</summary>
    public static string Compute(string? configPath) =>
        Derive(
            ReadMachineId() ?? Environment.MachineName,
            CurrentUser(),
            configPath is null ? "" : NormalizePath(configPath)
        );

    /// <summary>
    /// SHA-256 (first 32 hex digits) of the three parts, each length-prefixed so that no two different
    /// triples give the same input.
    /// </summary>
    public static string Derive(string machineId, string user, string configPath)
    {
        var material = string.Create(
            CultureInfo.InvariantCulture,
            $"filesync-edge/2\n{machineId.Length}:{machineId}\n{user.Length}:{user}\n{configPath.Length}:{configPath}"
        );
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(material)))[..32];
    }

    /// <summary>The OS user: <c>uid:1000</c> on Unix (a renamed account keeps its id), <c>DOMAIN\name</c> on Windows.</summary>
    public static string CurrentUser() =>
        OperatingSystem.IsWindows()
            ? $"{Environment.UserDomainName}\\{Environment.UserName}"
            : string.Create(CultureInfo.InvariantCulture, $"uid:{GetEffectiveUserId()}");

    /// <summary>
    /// Why <paramref name="identity"/> cannot be an identity (a phrase such as "must not be empty"), or null
    /// when it can: 1 to <see cref="MaxLength"/> characters of printable text, no control characters, no
    /// white space at either end.
    /// </summary>
    /// <summary>
    /// The identity as it goes in <c>?fingerprint=</c>: base64 of <c>{"machine_id": "&lt;identity&gt;"}</c>,
    /// the shape the todoforai edge clients send, so a server that decodes the fingerprint reads one; a
    /// server that treats it as an opaque id (the reference server) sees a stable string all the same.
    /// </summary>
    public static string ToWire(string identity) =>
        Convert.ToBase64String(
            Encoding.UTF8.GetBytes(
                "{\"machine_id\": \""
                    + System.Text.Json.JsonEncodedText.Encode(identity).ToString()
                    + "\"}"
            )
        );

    public static string? Validate(string identity)
    {
        if (identity.Length == 0)
        {
            return "must not be empty";
        }
        if (identity.Length > MaxLength)
        {
            return string.Create(
                CultureInfo.InvariantCulture,
                $"must be at most {MaxLength} characters long (it has {identity.Length})"
            );
        }
        if (char.IsWhiteSpace(identity[0]) || char.IsWhiteSpace(identity[^1]))
        {
            return "must not start or end with white space";
        }
        for (var i = 0; i < identity.Length; i++)
        {
            if (char.IsControl(identity[i]))
            {
                return "must not contain control characters";
            }
            if (
                char.IsHighSurrogate(identity[i])
                && i + 1 < identity.Length
                && char.IsLowSurrogate(identity[i + 1])
            )
            {
                i++;
            }
            else if (char.IsSurrogate(identity[i]))
            {
                return "must be valid Unicode text";
            }
        }
        return null;
    }

    /// <summary>The full path; upper-cased where paths are case-insensitive, so one file has one identity.</summary>
    private static string NormalizePath(string path)
    {
        var full = Path.GetFullPath(path);
        return PathComparer.IgnoreCase ? full.ToUpperInvariant() : full;
    }

    private static string? ReadMachineId()
    {
        foreach (var file in s_machineIdFiles)
        {
            try
            {
                var id = File.ReadAllText(file).Trim();
                if (id.Length > 0)
                {
                    return id;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Try the next source.
            }
        }
        return null;
    }

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();
}
