using System.Security.Cryptography;
using System.Text;

namespace FileSync.Edge.Local;

/// <summary>
/// Where the local control endpoint of the agent running with a given config file is: a Unix domain
/// socket <c>$XDG_RUNTIME_DIR/filesync-edge/&lt;name&gt;.sock</c> (mode 0600 in a 0700 folder; without
/// <c>XDG_RUNTIME_DIR</c>: <c>/tmp/filesync-edge-&lt;uid&gt;/</c> on Linux, <c>$TMPDIR/filesync-edge/</c> on
/// macOS), or a per-user named pipe on Windows. The name is <c>agent</c> for the default config file and
/// <c>agent-&lt;16 hex digits of the config path's SHA-256&gt;</c> for any other, so each config file has
/// one endpoint, and so one agent.
/// </summary>
public sealed record LocalEndpointAddress(string Name, string Path, string? Directory)
{
    /// <summary>Overrides the folder of the socket (tests); otherwise <c>XDG_RUNTIME_DIR</c> decides.</summary>
    public const string RuntimeDirectoryVariable = "XDG_RUNTIME_DIR";

    /// <summary>True for a Windows named pipe (<see cref="Path"/> is then the pipe's name).</summary>
    public bool IsPipe => Directory is null;

    /// <summary>The endpoint of the agent whose config file is <paramref name="configPath"/> (absolute or relative to the current directory).</summary>
    public static LocalEndpointAddress For(string configPath) => For(configPath, null);

    /// <param name="configPath">The agent's config file.</param>
    /// <param name="runtimeDirectory">Used instead of <c>XDG_RUNTIME_DIR</c> when set (Unix).</param>
    public static LocalEndpointAddress For(string configPath, string? runtimeDirectory)
    {
        var full = System.IO.Path.GetFullPath(configPath);
        var name = string.Equals(
            full,
            AgentConfigLocation.PlatformDefaultPath(),
            OperatingSystem.IsWindows() || OperatingSystem.IsMacOS()
                ? StringComparison.OrdinalIgnoreCase
                : StringComparison.Ordinal
        )
            ? "agent"
            : "agent-" + Hash(OperatingSystem.IsWindows() ? full.ToUpperInvariant() : full);
        if (OperatingSystem.IsWindows())
        {
            // Pipe names are machine-wide: the user is part of the name, CurrentUserOnly guards access.
            var user = Hash(
                $"{Environment.UserDomainName}\\{Environment.UserName}".ToUpperInvariant()
            );
            return new LocalEndpointAddress(name, $"filesync-edge.{user}.{name}", null);
        }
        var directory = runtimeDirectory is { Length: > 0 }
            ? System.IO.Path.Combine(runtimeDirectory, "filesync-edge")
            : RuntimeDirectory();
        return new LocalEndpointAddress(
            name,
            System.IO.Path.Combine(directory, name + ".sock"),
            directory
        );
    }

    /// <summary>The folder the sockets of this user live in (not created here; see <see cref="LocalRuntimeDirectory"/>).</summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public static string RuntimeDirectory()
    {
        var runtime = Environment.GetEnvironmentVariable(RuntimeDirectoryVariable);
        if (!string.IsNullOrEmpty(runtime) && System.IO.Path.IsPathRooted(runtime))
        {
            return System.IO.Path.Combine(runtime, "filesync-edge");
        }
        if (OperatingSystem.IsMacOS())
        {
            // $TMPDIR is per user (and 0700) on macOS.
            return System.IO.Path.Combine(System.IO.Path.GetTempPath(), "filesync-edge");
        }
        return $"/tmp/filesync-edge-{LocalRuntimeDirectory.EffectiveUserId()}";
    }

    private static string Hash(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];

    public override string ToString() => IsPipe ? $@"\\.\pipe\{Path}" : Path;
}
