using FileSync.Testing.Network;

namespace FileSync.Edge.Tests.Infrastructure;

/// <summary>The real network parts a test runs (Debian packages).</summary>
[Flags]
public enum NetworkParts
{
    Nginx = 1,
    OpenSsl = 2,
    ForwardProxy = 4,
}

/// <summary>
/// A fact that needs real network parts (nginx, openssl, tinyproxy): skipped with the reason when one is
/// missing outside CI, run (and failed) in CI, where .ci/run installs them.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class NetworkFactAttribute : FactAttribute
{
    public NetworkFactAttribute(NetworkParts parts)
    {
        if (MissingReason(parts) is { } reason)
        {
            Skip = reason;
        }
    }

    internal static string? MissingReason(NetworkParts parts)
    {
        if (!OperatingSystem.IsLinux())
        {
            return "the network tests run the Debian packages nginx, openssl and tinyproxy (Linux)";
        }
        if (Environment.GetEnvironmentVariable("CI") is { Length: > 0 })
        {
            return null;
        }
        return (parts.HasFlag(NetworkParts.Nginx) ? NginxInstance.MissingReason : null)
            ?? (
                parts.HasFlag(NetworkParts.OpenSsl)
                    ? PrivateCertificateAuthority.MissingReason
                    : null
            )
            ?? (
                parts.HasFlag(NetworkParts.ForwardProxy) ? ForwardProxyInstance.MissingReason : null
            );
    }
}

/// <summary>A theory over <see cref="NetworkFactAttribute"/>'s parts, skipped the same way.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class NetworkTheoryAttribute : TheoryAttribute
{
    public NetworkTheoryAttribute(NetworkParts parts)
    {
        if (NetworkFactAttribute.MissingReason(parts) is { } reason)
        {
            Skip = reason;
        }
    }
}
