namespace FileSync.Edge.Filtering.Secrets;

/// <summary>
/// The name rules of the secret guard: files whose name says they hold credentials, whatever their
/// content (compared without regard to case).
/// </summary>
internal static class CredentialFileNames
{
    public static readonly SecretRule EnvFile = new(
        "env-file",
        ".env or .env.* (not .example, .sample, .template)"
    );
    public static readonly SecretRule Npmrc = new("npmrc", ".npmrc (registry credentials)");
    public static readonly SecretRule Pypirc = new("pypirc", ".pypirc (PyPI credentials)");
    public static readonly SecretRule Netrc = new("netrc", ".netrc or _netrc (login credentials)");
    public static readonly SecretRule GitCredentials = new(
        "git-credentials",
        ".git-credentials (stored git passwords and tokens)"
    );
    public static readonly SecretRule DockerConfig = new(
        "dockercfg",
        ".dockercfg (registry credentials)"
    );
    public static readonly SecretRule SshKeyFile = new(
        "ssh-private-key-file",
        "id_rsa, id_dsa, id_ecdsa, id_ed25519 (and -cert, _sk); never .pub"
    );
    public static readonly SecretRule Keystore = new(
        "keystore-file",
        "*.p12, *.pfx, *.jks, *.keystore (key stores)"
    );
    public static readonly SecretRule PuttyKey = new(
        "putty-private-key",
        "*.ppk (PuTTY private key)"
    );
    public static readonly SecretRule KeePass = new(
        "keepass-database",
        "*.kdbx (password database)"
    );
    public static readonly SecretRule TerraformState = new(
        "terraform-state",
        "terraform.tfstate* (holds provider secrets)"
    );
    public static readonly SecretRule CloudCredentials = new(
        "credentials-json",
        "credentials.json, service-account*.json"
    );

    public static IReadOnlyList<SecretRule> All { get; } =
    [
        EnvFile,
        Npmrc,
        Pypirc,
        Netrc,
        GitCredentials,
        DockerConfig,
        SshKeyFile,
        Keystore,
        PuttyKey,
        KeePass,
        TerraformState,
        CloudCredentials,
    ];

    private static readonly string[] s_sshKeys =
    [
        "id_rsa",
        "id_dsa",
        "id_ecdsa",
        "id_ed25519",
        "id_ecdsa_sk",
        "id_ed25519_sk",
    ];

    /// <summary>The rule the file name <paramref name="name"/> falls under, or null.</summary>
    public static SecretRule? Match(ReadOnlySpan<char> name)
    {
        const StringComparison Case = StringComparison.OrdinalIgnoreCase;
        if (name.Equals(".env", Case))
        {
            return EnvFile;
        }
        if (name.StartsWith(".env.", Case))
        {
            return
                name.EndsWith(".example", Case)
                || name.EndsWith(".sample", Case)
                || name.EndsWith(".template", Case)
                ? null
                : EnvFile;
        }
        if (name.Equals(".npmrc", Case))
        {
            return Npmrc;
        }
        if (name.Equals(".pypirc", Case))
        {
            return Pypirc;
        }
        if (name.Equals(".netrc", Case) || name.Equals("_netrc", Case))
        {
            return Netrc;
        }
        if (name.Equals(".git-credentials", Case))
        {
            return GitCredentials;
        }
        if (name.Equals(".dockercfg", Case))
        {
            return DockerConfig;
        }
        foreach (var key in s_sshKeys)
        {
            if (
                name.Equals(key, Case)
                || (name.StartsWith(key, Case) && name[key.Length..].Equals("-cert", Case))
            )
            {
                return SshKeyFile;
            }
        }
        if (
            name.EndsWith(".p12", Case)
            || name.EndsWith(".pfx", Case)
            || name.EndsWith(".jks", Case)
            || name.EndsWith(".keystore", Case)
        )
        {
            return Keystore;
        }
        if (name.EndsWith(".ppk", Case))
        {
            return PuttyKey;
        }
        if (name.EndsWith(".kdbx", Case))
        {
            return KeePass;
        }
        if (name.Equals("terraform.tfstate", Case) || name.StartsWith("terraform.tfstate.", Case))
        {
            return TerraformState;
        }
        if (
            name.Equals("credentials.json", Case)
            || (name.StartsWith("service-account", Case) && name.EndsWith(".json", Case))
        )
        {
            return CloudCredentials;
        }
        return null;
    }
}
