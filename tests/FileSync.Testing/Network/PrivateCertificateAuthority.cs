using System.Diagnostics;
using System.Globalization;

namespace FileSync.Testing.Network;

/// <summary>
/// A private certificate authority made with the openssl command line (Debian package openssl): a root,
/// an intermediate under it, and server certificates signed by the intermediate — valid, for another
/// host name, expired — as PEM files in a temp folder. Trust the root with <c>SSL_CERT_FILE</c> =
/// <see cref="RootCertificatePath"/>; serve <see cref="IssuedCertificate.FullChainPath"/> (leaf +
/// intermediate), or <see cref="IssuedCertificate.LeafOnlyPath"/> to leave the intermediate out.
/// </summary>
public sealed class PrivateCertificateAuthority : IDisposable
{
    public const string Executable = "/usr/bin/openssl";

    private readonly TempDirectory _folder = new(inMemory: false, prefix: "filesync-ca-");
    private int _issued;

    /// <summary>Why openssl cannot run here, or null when it can (for a visible skip).</summary>
    public static string? MissingReason =>
        File.Exists(Executable)
            ? null
            : $"openssl is not installed ({Executable}; Debian package openssl, which .ci/run installs)";

    private PrivateCertificateAuthority() { }

    public string Folder => _folder.Path;

    /// <summary>The root certificate (PEM): what a client must trust.</summary>
    public string RootCertificatePath => Path.Combine(Folder, "root.crt");

    /// <summary>The intermediate certificate (PEM), which signs every issued certificate.</summary>
    public string IntermediateCertificatePath => Path.Combine(Folder, "intermediate.crt");

    /// <summary>A folder holding only the root, hashed as <c>SSL_CERT_DIR</c> wants it (<c>openssl rehash</c>).</summary>
    public string TrustDirectory => Path.Combine(Folder, "trust");

    /// <summary>Makes the root and the intermediate.</summary>
    public static async Task<PrivateCertificateAuthority> CreateAsync()
    {
        var ca = new PrivateCertificateAuthority();
        try
        {
            await ca.MakeAuthoritiesAsync();
            return ca;
        }
        catch
        {
            ca.Dispose();
            throw;
        }
    }

    private async Task MakeAuthoritiesAsync()
    {
        await OpenSslAsync(
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            Path.Combine(Folder, "root.key"),
            "-out",
            RootCertificatePath,
            "-subj",
            "/CN=FileSync Test Root CA",
            "-days",
            "3650",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign"
        );
        var request = await RequestAsync("intermediate", "/CN=FileSync Test Intermediate CA");
        await SignAsync(
            "root",
            request,
            IntermediateCertificatePath,
            "intermediate_ext",
            "",
            DateTimeOffset.UtcNow.AddDays(-1),
            DateTimeOffset.UtcNow.AddYears(5)
        );
        var trust = Directory.CreateDirectory(TrustDirectory).FullName;
        File.Copy(RootCertificatePath, Path.Combine(trust, "root.pem"));
        await OpenSslAsync("rehash", trust);
    }

    /// <summary>
    /// A server certificate for <paramref name="hostName"/> (a DNS name or an IP address, put into the
    /// subject alternative names), signed by the intermediate, valid from <paramref name="notBefore"/> to
    /// <paramref name="notAfter"/> (default: yesterday to a year from now; a past range makes an expired one).
    /// </summary>
    public async Task<IssuedCertificate> IssueServerCertificateAsync(
        string hostName,
        DateTimeOffset? notBefore = null,
        DateTimeOffset? notAfter = null
    )
    {
        var name =
            "server" + Interlocked.Increment(ref _issued).ToString(CultureInfo.InvariantCulture);
        var request = await RequestAsync(name, "/CN=" + hostName);
        var leaf = Path.Combine(Folder, name + ".crt");
        var san = System.Net.IPAddress.TryParse(hostName, out _)
            ? "IP:" + hostName
            : "DNS:" + hostName;
        await SignAsync(
            "intermediate",
            request,
            leaf,
            "server_ext",
            san,
            notBefore ?? DateTimeOffset.UtcNow.AddDays(-1),
            notAfter ?? DateTimeOffset.UtcNow.AddYears(1)
        );
        var fullChain = Path.Combine(Folder, name + ".fullchain.crt");
        File.WriteAllText(
            fullChain,
            File.ReadAllText(leaf) + File.ReadAllText(IntermediateCertificatePath)
        );
        var withRoot = Path.Combine(Folder, name + ".withroot.crt");
        File.WriteAllText(
            withRoot,
            File.ReadAllText(fullChain) + File.ReadAllText(RootCertificatePath)
        );
        return new IssuedCertificate(
            leaf,
            fullChain,
            withRoot,
            Path.Combine(Folder, name + ".key")
        );
    }

    private async Task<string> RequestAsync(string name, string subject)
    {
        var request = Path.Combine(Folder, name + ".csr");
        await OpenSslAsync(
            "req",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            Path.Combine(Folder, name + ".key"),
            "-out",
            request,
            "-subj",
            subject
        );
        return request;
    }

    /// <summary><c>openssl ca</c>: the only openssl 3.0 command that takes any validity range, past ones included.</summary>
    private async Task SignAsync(
        string issuer,
        string request,
        string certificate,
        string extensions,
        string subjectAltName,
        DateTimeOffset notBefore,
        DateTimeOffset notAfter
    )
    {
        var database = Path.Combine(Folder, issuer + ".db");
        Directory.CreateDirectory(database);
        var index = Path.Combine(database, "index.txt");
        if (!File.Exists(index))
        {
            File.WriteAllText(index, "");
            File.WriteAllText(
                Path.Combine(database, "serial"),
                Random
                    .Shared.NextInt64(0x1000_0000, 0x7fff_ffff)
                    .ToString("x16", CultureInfo.InvariantCulture) + "\n"
            );
        }
        var config = Path.Combine(database, "ca.cnf");
        File.WriteAllText(
            config,
            $"""
            [ ca ]
            default_ca = this_ca
            [ this_ca ]
            dir = {database}
            database = $dir/index.txt
            serial = $dir/serial
            new_certs_dir = $dir
            certificate = {Path.Combine(Folder, issuer + ".crt")}
            private_key = {Path.Combine(Folder, issuer + ".key")}
            default_md = sha256
            policy = any_policy
            unique_subject = no
            copy_extensions = none
            [ any_policy ]
            commonName = supplied
            [ intermediate_ext ]
            basicConstraints = critical,CA:TRUE,pathlen:0
            keyUsage = critical,keyCertSign,cRLSign
            subjectKeyIdentifier = hash
            authorityKeyIdentifier = keyid
            [ server_ext ]
            basicConstraints = critical,CA:FALSE
            keyUsage = critical,digitalSignature,keyEncipherment
            extendedKeyUsage = serverAuth
            subjectKeyIdentifier = hash
            authorityKeyIdentifier = keyid
            {(subjectAltName.Length > 0 ? "subjectAltName = " + subjectAltName : "")}
            """
        );
        await OpenSslAsync(
            "ca",
            "-batch",
            "-notext",
            "-config",
            config,
            "-extensions",
            extensions,
            "-in",
            request,
            "-out",
            certificate,
            "-startdate",
            notBefore.UtcDateTime.ToString("yyyyMMddHHmmss'Z'", CultureInfo.InvariantCulture),
            "-enddate",
            notAfter.UtcDateTime.ToString("yyyyMMddHHmmss'Z'", CultureInfo.InvariantCulture)
        );
    }

    private static async Task OpenSslAsync(params string[] arguments)
    {
        var info = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        var outcome = await ChildProcess.RunAsync(info, Wait.Generous);
        if (outcome.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"openssl {string.Join(' ', arguments)} failed ({outcome.ExitCode}): {outcome.Stderr}"
            );
        }
    }

    public void Dispose() => _folder.Dispose();
}

/// <summary>A server certificate and its key (PEM files).</summary>
/// <param name="LeafOnlyPath">The certificate alone: a client that trusts only the root cannot build the chain.</param>
/// <param name="FullChainPath">The certificate followed by the intermediate, as a server should send it.</param>
/// <param name="FullChainWithRootPath">The same followed by the root: a client that does not trust the root sees <c>UntrustedRoot</c>.</param>
/// <param name="KeyPath">The private key.</param>
public sealed record IssuedCertificate(
    string LeafOnlyPath,
    string FullChainPath,
    string FullChainWithRootPath,
    string KeyPath
);
