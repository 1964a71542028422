namespace FileSync.Edge.Uplink;

/// <summary>Whether the edge's identity goes into the URL (<c>?fingerprint=</c>) besides its header (config <c>Uplink:IdentityInUrl</c>).</summary>
public enum IdentityInUrl
{
    /// <summary>
    /// Header only, so the identity stays out of access logs. A server whose answer to the upgrade does not
    /// acknowledge the header (the todoforai backend) is connected to again at once with the query, and
    /// with it for the rest of the run.
    /// </summary>
    Auto,

    /// <summary>Always as <c>?fingerprint=</c> too (a server known to read only the query: no probing connection).</summary>
    Always,

    /// <summary>Never in the URL.</summary>
    Never,
}
