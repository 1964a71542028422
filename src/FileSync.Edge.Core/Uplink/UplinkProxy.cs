using System.Net;

namespace FileSync.Edge.Uplink;

/// <summary>
/// The proxy the uplink goes through, from <c>Uplink:Proxy</c> (or <c>--proxy</c>) or else the standard
/// variables, and the hosts that bypass it, from <c>Uplink:NoProxy</c> or else <c>NO_PROXY</c>. For
/// <c>wss://</c>: <c>https_proxy</c>/<c>HTTPS_PROXY</c>, then <c>all_proxy</c>/<c>ALL_PROXY</c>, then
/// <c>http_proxy</c>/<c>HTTP_PROXY</c> (so a proxy set only there is not silently ignored); for
/// <c>ws://</c>: <c>http_proxy</c>/<c>HTTP_PROXY</c>, then <c>all_proxy</c>/<c>ALL_PROXY</c>. No-proxy
/// entries: <c>*</c> (everything), a host or domain (<c>example.com</c> and <c>.example.com</c> match
/// it and its subdomains), an address, a CIDR range (<c>10.0.0.0/8</c>), each optionally with
/// <c>:port</c>.
/// </summary>
public sealed class UplinkProxy : IWebProxy
{
    private static readonly char[] s_separators = [',', ' ', ';', '\t'];
    private readonly string[] _noProxy;

    private UplinkProxy(Uri address, string source, string[] noProxy, string? noProxySource)
    {
        Address = address;
        Source = source;
        _noProxy = noProxy;
        NoProxySource = noProxySource;
        if (address.UserInfo is { Length: > 0 } userInfo)
        {
            var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
            Credentials = new NetworkCredential(
                Uri.UnescapeDataString(colon < 0 ? userInfo : userInfo[..colon]),
                colon < 0 ? "" : Uri.UnescapeDataString(userInfo[(colon + 1)..])
            );
        }
    }

    /// <summary>The proxy's URL, credentials included: never log it, log <see cref="Display"/>.</summary>
    public Uri Address { get; }

    /// <summary>Where the proxy came from: <c>Uplink:Proxy</c> or the variable's name.</summary>
    public string Source { get; }

    /// <summary>Where the bypass list came from (<c>Uplink:NoProxy</c>, <c>NO_PROXY</c>), or null without one.</summary>
    public string? NoProxySource { get; }

    /// <summary>The proxy without its password, e.g. <c>http://alice@proxy:3128</c>.</summary>
    public string Display => Describe(Address);

    public ICredentials? Credentials { get; set; }

    public Uri? GetProxy(Uri destination) => IsBypassed(destination) ? null : ProxyUri;

    /// <summary>The proxy's address without credentials (they go as <see cref="Credentials"/>).</summary>
    private Uri ProxyUri => new UriBuilder(Address) { UserName = "", Password = "" }.Uri;

    public bool IsBypassed(Uri host) => Bypasses(_noProxy, host);

    /// <summary>The proxy for <paramref name="server"/>, or null for a direct connection (none set, or bypassed).</summary>
    public static UplinkProxy? For(
        UplinkOptions options,
        Uri server,
        Func<string, string?> environment
    )
    {
        var (value, source) = ProxySetting(options, server, environment);
        if (value is null)
        {
            return null;
        }
        var address =
            Parse(value, out var problem)
            ?? throw new ArgumentException($"{source}: {problem}", nameof(options));
        var (noProxy, noProxySource) =
            options.NoProxy is { } configured ? (configured, "Uplink:NoProxy")
            : environment("no_proxy") is { } lower ? (lower, "no_proxy")
            : environment("NO_PROXY") is { } upper ? (upper, "NO_PROXY")
            : ("", null);
        var proxy = new UplinkProxy(
            address,
            source,
            noProxy.Split(s_separators, StringSplitOptions.RemoveEmptyEntries),
            noProxySource
        );
        return proxy;
    }

    /// <summary>Why <paramref name="value"/> is not a usable proxy URL, or null when it is.</summary>
    public static string? Validate(string value)
    {
        Parse(value, out var problem);
        return problem;
    }

    /// <summary><paramref name="proxy"/> as a URL without its password.</summary>
    public static string Describe(Uri proxy)
    {
        var user = proxy.UserInfo is { Length: > 0 } info ? info.Split(':')[0] + "@" : "";
        return $"{proxy.Scheme}://{user}{proxy.Authority}";
    }

    private static (string? Value, string Source) ProxySetting(
        UplinkOptions options,
        Uri server,
        Func<string, string?> environment
    )
    {
        if (!string.IsNullOrWhiteSpace(options.Proxy))
        {
            return (options.Proxy.Trim(), "Uplink:Proxy");
        }
        string[] names = server.Scheme is "wss" or "https"
            ? ["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "http_proxy", "HTTP_PROXY"]
            : ["http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"];
        foreach (var name in names)
        {
            if (environment(name) is { } value && !string.IsNullOrWhiteSpace(value))
            {
                return (value.Trim(), name);
            }
        }
        return (null, "");
    }

    private static Uri? Parse(string value, out string? problem)
    {
        // "host:port" without a scheme means an http proxy, as curl reads it.
        var text = value.Contains("://", StringComparison.Ordinal) ? value : "http://" + value;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Host.Length == 0)
        {
            problem =
                $"'{Describe(value)}' is not a proxy URL (expected http://[user:password@]host:port)";
            return null;
        }
        if (uri.Scheme is not ("http" or "https" or "socks5" or "socks4" or "socks4a"))
        {
            problem =
                $"proxy scheme '{uri.Scheme}' is not supported (use http://, https:// or socks5://)";
            return null;
        }
        problem = null;
        return uri;
    }

    /// <summary>A proxy text for an error message, without what looks like a password.</summary>
    private static string Describe(string value)
    {
        var at = value.LastIndexOf('@');
        if (at < 0)
        {
            return value;
        }
        var start = value.IndexOf("://", StringComparison.Ordinal) is var s and >= 0 ? s + 3 : 0;
        var userInfo = value[start..at];
        var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? value : value[..(start + colon)] + ":***" + value[at..];
    }

    internal static bool Bypasses(IReadOnlyList<string> noProxy, Uri destination)
    {
        var host = destination.IdnHost.Trim('[', ']').TrimEnd('.').ToLowerInvariant();
        foreach (var raw in noProxy)
        {
            var entry = raw.Trim().ToLowerInvariant();
            if (entry == "*")
            {
                return true;
            }
            int? port = null;
            if (SplitPort(entry) is var (name, p))
            {
                entry = name;
                port = p;
            }
            if (port is { } wanted && wanted != destination.Port)
            {
                continue;
            }
            entry = entry.Trim('[', ']').TrimStart('*').TrimStart('.').TrimEnd('.');
            if (entry.Length == 0)
            {
                continue;
            }
            if (
                entry.Contains('/', StringComparison.Ordinal)
                && IPNetwork.TryParse(entry, out var network)
            )
            {
                if (IPAddress.TryParse(host, out var address) && network.Contains(address))
                {
                    return true;
                }
                continue;
            }
            if (host == entry || host.EndsWith("." + entry, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>An entry's host and port when it ends in <c>:port</c> (an IPv6 address only in brackets).</summary>
    private static (string Host, int Port)? SplitPort(string entry)
    {
        var colon = entry.LastIndexOf(':');
        if (
            colon <= 0
            || entry.IndexOf(':', StringComparison.Ordinal) != colon && !entry.StartsWith('[')
        )
        {
            return null;
        }
        if (entry.StartsWith('[') && entry[colon - 1] != ']')
        {
            return null;
        }
        return int.TryParse(entry[(colon + 1)..], out var port) ? (entry[..colon], port) : null;
    }
}
