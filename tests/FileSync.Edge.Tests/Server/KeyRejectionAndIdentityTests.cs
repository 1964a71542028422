using System.Net;
using System.Net.WebSockets;
using FileSync.Edge.Tests.Infrastructure;
using FileSync.Protocol;
using Xunit.Abstractions;

namespace FileSync.Edge.Tests.Server;

/// <summary>The server marks its own 401 (so an edge can tell it from a gateway's) and reads the identity from its header.</summary>
public sealed class KeyRejectionAndIdentityTests(ITestOutputHelper output) : ServerTestBase(output)
{
    [Fact]
    public async Task WrongKey_401CarriesTheFileSyncChallenge()
    {
        var server = await StartServerAsync(apiKey: "s3cret-key");
        using var socket = RawEdgeClient.CreateSocket(apiKey: "wrong-key");

        await Assert.ThrowsAsync<WebSocketException>(() =>
            socket.ConnectAsync(RawEdgeClient.EdgeUri(server, "m"), CancellationToken.None)
        );

        Assert.Equal(HttpStatusCode.Unauthorized, socket.HttpStatusCode);
        var challenge = socket
            .HttpResponseHeaders!.Single(h =>
                string.Equals(h.Key, "WWW-Authenticate", StringComparison.OrdinalIgnoreCase)
            )
            .Value;
        Assert.True(KeyRejection.IsMarked(challenge));
        Assert.Contains(KeyRejection.Challenge, challenge);
    }

    [Fact]
    public void IsMarked_OnlyTheFileSyncBearerChallenge()
    {
        Assert.True(KeyRejection.IsMarked([KeyRejection.Challenge]));
        Assert.False(KeyRejection.IsMarked(["Basic realm=\"gate\""]));
        Assert.False(KeyRejection.IsMarked(["Bearer"]));
        Assert.False(KeyRejection.IsMarked(["Bearer realm=\"other\""]));
        Assert.False(KeyRejection.IsMarked([]));
    }

    [Fact]
    public async Task IdentityHeader_SameEdgeAsTheQuery_AndAcknowledged()
    {
        var server = await StartServerAsync();
        await using var byQuery = await RawEdgeClient.ConnectAsync(
            server,
            fingerprint: "machine-a"
        );
        using var byHeader = RawEdgeClient.CreateSocket(apiKey: null);
        byHeader.Options.SetRequestHeader(EdgeIdentityHeader.HeaderName, "machine-a");

        await byHeader.ConnectAsync(RawEdgeClient.EdgeUri(server, null), CancellationToken.None);

        Assert.Equal(
            EdgeIdentityHeader.Acknowledged,
            byHeader
                .HttpResponseHeaders!.Single(h =>
                    string.Equals(
                        h.Key,
                        EdgeIdentityHeader.HeaderName,
                        StringComparison.OrdinalIgnoreCase
                    )
                )
                .Value.Single()
        );
        // The same identity: the header's connection replaced the query's.
        Assert.Equal((WebSocketCloseStatus)4002, await byQuery.WaitForCloseAsync());
    }
}
