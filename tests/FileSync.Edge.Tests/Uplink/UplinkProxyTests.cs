using System.Net;
using FileSync.Edge.Uplink;

namespace FileSync.Edge.Tests.Uplink;

/// <summary>Which proxy the uplink takes from the options and the standard variables, and what bypasses it.</summary>
public sealed class UplinkProxyTests
{
    private static readonly Uri s_wss = new("wss://sync.example.com/ws/v1/edge");
    private static readonly Uri s_ws = new("ws://10.1.2.3:8765/ws/v1/edge");

    private static Func<string, string?> Env(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;

    [Theory]
    [InlineData("HTTPS_PROXY", true)]
    [InlineData("https_proxy", true)]
    [InlineData("ALL_PROXY", true)]
    [InlineData("HTTP_PROXY", true)]
    [InlineData("HTTPS_PROXY", false)]
    public void For_OneVariableSet_WhichSchemesItServes(string variable, bool secure)
    {
        var proxy = UplinkProxy.For(
            new UplinkOptions(),
            secure ? s_wss : s_ws,
            Env((variable, "http://proxy:3128"))
        );

        var expected = secure || variable != "HTTPS_PROXY";
        Assert.Equal(expected, proxy is not null);
        if (proxy is not null)
        {
            Assert.Equal(variable, proxy.Source);
        }
    }

    [Fact]
    public void For_ConfiguredProxyWithCredentials_WinsAndHidesThePassword()
    {
        var proxy = UplinkProxy.For(
            new UplinkOptions { Proxy = "http://alice:p%40ss@proxy:3128" },
            s_wss,
            Env(("HTTPS_PROXY", "http://other:1"))
        )!;

        Assert.Equal("Uplink:Proxy", proxy.Source);
        Assert.Equal("http://alice@proxy:3128", proxy.Display);
        var credential = proxy.Credentials!.GetCredential(s_wss, "Basic")!;
        Assert.Equal(("alice", "p@ss"), (credential.UserName, credential.Password));
        Assert.Equal(new Uri("http://proxy:3128/"), proxy.GetProxy(s_wss));
    }

    [Theory]
    [InlineData("*", true)]
    [InlineData("example.com", true)]
    [InlineData(".example.com", true)]
    [InlineData("*.example.com", true)]
    [InlineData("ample.com", false)]
    [InlineData("sync.example.com:443", true)]
    [InlineData("sync.example.com:8443", false)]
    [InlineData("localhost, other.org", false)]
    public void IsBypassed_NoProxyEntries_MatchHostDomainAndPort(string noProxy, bool bypassed)
    {
        var proxy = UplinkProxy.For(
            new UplinkOptions(),
            s_wss,
            Env(("HTTPS_PROXY", "http://proxy:3128"), ("NO_PROXY", noProxy))
        )!;

        Assert.Equal(bypassed, proxy.IsBypassed(s_wss));
    }

    [Theory]
    [InlineData("10.0.0.0/8", true)]
    [InlineData("10.1.2.3", true)]
    [InlineData("192.168.0.0/16", false)]
    public void IsBypassed_AddressesAndRanges(string noProxy, bool bypassed)
    {
        var proxy = UplinkProxy.For(
            new UplinkOptions { NoProxy = noProxy },
            s_ws,
            Env(("HTTP_PROXY", "proxy:3128"), ("NO_PROXY", "*"))
        )!;

        Assert.Equal("Uplink:NoProxy", proxy.NoProxySource);
        Assert.Equal(bypassed, proxy.IsBypassed(s_ws));
    }

    [Theory]
    [InlineData("ftp://proxy:21", "proxy scheme 'ftp' is not supported")]
    [InlineData("http://alice:secret@", "is not a proxy URL")]
    public void Validate_BadUrl_OneLineWithoutThePassword(string value, string expected)
    {
        var problem = UplinkProxy.Validate(value);

        Assert.NotNull(problem);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Credentials_AreANetworkCredential() =>
        Assert.IsType<NetworkCredential>(
            UplinkProxy
                .For(new UplinkOptions { Proxy = "http://u:p@h:1" }, s_ws, Env())!
                .Credentials
        );
}
