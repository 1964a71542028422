using System.Security.Cryptography;
using System.Text;

namespace FileSync.Edge.Uplink;

/// <summary>A stable, anonymous id for this machine and user: SHA-256 of the OS machine id and user name.</summary>
public static class MachineFingerprint
{
    private static readonly string[] s_machineIdFiles = ["/etc/machine-id", "/var/lib/dbus/machine-id"];

    public static string Compute()
    {
        var machineId = ReadMachineId() ?? Environment.MachineName;
        var material = $"{machineId}:{Environment.UserName}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(material)))[..32];
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
}
