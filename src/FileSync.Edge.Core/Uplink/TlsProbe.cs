using System.Net.Security;
using System.Net.Sockets;

namespace FileSync.Edge.Uplink;

/// <summary>
/// Asks a port whether it speaks TLS: for a <c>ws://</c> URL answered with HTTP 400, which is what nginx
/// (and others) answer plain HTTP on a TLS port with, so the agent can say "use wss://" instead of guessing.
/// Only a handshake: nothing is sent over it, so the certificate is not checked.
/// </summary>
public static class TlsProbe
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(3);

    /// <summary>True when <paramref name="server"/>'s host and port complete a TLS handshake; false when they do not or do not answer in time.</summary>
    public static async Task<bool> SpeaksTlsAsync(
        Uri server,
        TimeProvider time,
        CancellationToken cancellationToken = default
    )
    {
        using var deadline = new CancellationTokenSource(s_timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(
            cancellationToken,
            deadline.Token
        );
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(server.Host, server.Port, linked.Token).ConfigureAwait(false);
            await using var tls = new SslStream(client.GetStream(), leaveInnerStreamOpen: false);
            await tls.AuthenticateAsClientAsync(
                    new SslClientAuthenticationOptions
                    {
                        TargetHost = server.Host,
                        // Nothing is sent on this stream: whether the port speaks TLS is all it asks.
                        RemoteCertificateValidationCallback = (_, _, _, _) => true,
                    },
                    linked.Token
                )
                .ConfigureAwait(false);
            return true;
        }
        catch (Exception ex)
            when (ex
                    is IOException
                        or SocketException
                        or System.Security.Authentication.AuthenticationException
                        or OperationCanceledException
            )
        {
            cancellationToken.ThrowIfCancellationRequested();
            return false;
        }
    }
}
