using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace FileSync.Edge.Uplink;

/// <summary>
/// What the certificate check of one connect attempt saw: the policy errors .NET found and the chain's
/// statuses (<c>UntrustedRoot</c>, <c>PartialChain</c>, <c>NotTimeValid</c>, …), with the certificate's
/// subject and validity, so that a refused certificate is named in one line.
/// </summary>
public sealed record TlsObservation(
    SslPolicyErrors Errors,
    IReadOnlyList<X509ChainStatus> ChainStatus,
    string? Subject,
    DateTimeOffset? NotBefore,
    DateTimeOffset? NotAfter
)
{
    /// <summary>Records what the check saw (the certificate and chain are only valid during the callback).</summary>
    public static TlsObservation Of(
        X509Certificate? certificate,
        X509Chain? chain,
        SslPolicyErrors errors
    )
    {
        var full = certificate as X509Certificate2;
        return new TlsObservation(
            errors,
            chain?.ChainStatus.Where(s => s.Status != X509ChainStatusFlags.NoError).ToArray() ?? [],
            certificate?.Subject,
            full is null
                ? null
                : new DateTimeOffset(full.NotBefore.ToUniversalTime(), TimeSpan.Zero),
            full is null ? null : new DateTimeOffset(full.NotAfter.ToUniversalTime(), TimeSpan.Zero)
        );
    }

    public bool Accepted => Errors == SslPolicyErrors.None;

    public bool Has(X509ChainStatusFlags flag) => ChainStatus.Any(s => s.Status.HasFlag(flag));
}
